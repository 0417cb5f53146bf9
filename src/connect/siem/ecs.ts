/** An Evident entry as an Elastic Common Schema (ECS 8.x) document. */
import type { ExportedEntry } from './exported-entry.js';
import { ocsfClassOf } from './ocsf-class.js';

type Json = Record<string, unknown>;

/** ECS event.category / event.type per OCSF class (ECS's allowed values). */
const ECS_KIND: Readonly<Record<string, { category: string[]; type: string[] }>> = {
  authentication: { category: ['authentication'], type: ['start'] },
  account_change: { category: ['iam'], type: ['user', 'change'] },
  entity_management: { category: ['configuration'], type: ['change'] },
  api_activity: { category: ['web'], type: ['access'] },
  datastore_activity: { category: ['database'], type: ['access'] },
};

export function toEcs(entry: ExportedEntry): Json {
  const r = entry.record;
  const kind = ECS_KIND[ocsfClassOf(r).name]!;
  const out: Json = {
    '@timestamp': r.time,
    message: r.action,
    event: defined({
      id: r.id,
      kind: 'event',
      category: kind.category,
      type: r.outcome === 'denied' ? [...kind.type, 'denied'] : kind.type,
      action: r.action,
      outcome:
        r.outcome === 'success' ? 'success' : r.outcome === 'unknown' ? 'unknown' : 'failure',
      created: r.received_at,
      sequence: entry.seq,
      provider: r.source,
      dataset: 'evident.audit',
      reason: r.reason,
      hash: entry.leafHash,
      severity: r.severity
        ? ['info', 'low', 'medium', 'high', 'critical'].indexOf(r.severity)
        : undefined,
    }),
    user: defined({ id: r.actor.id, name: r.actor.name }),
    ...(r.actor.ip ? { source: { ip: r.actor.ip }, related: { ip: [r.actor.ip] } } : {}),
    ...(r.request
      ? {
          http: defined({
            request: defined({ id: r.request.id, method: r.request.method }),
            response:
              r.request.status === undefined ? undefined : { status_code: r.request.status },
          }),
          ...(r.request.path ? { url: { path: r.request.path } } : {}),
        }
      : {}),
    ...(r.trace_id ? { trace: { id: r.trace_id } } : {}),
    labels: defined({ evident_source: r.source, evident_tenant: r.tenant }),
    evident: defined({
      target: r.target,
      category: r.category,
      details: r.details,
      session: r.actor.session,
      actor_type: r.actor.type,
    }),
  };
  return out;
}

function defined(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out;
}
