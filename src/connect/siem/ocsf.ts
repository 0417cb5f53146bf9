/** An Evident entry as an OCSF 1.8 event (schema.ocsf.io), class chosen by ocsf-class.ts. */
import type { EventRecord, Severity } from '../../core/record/types.js';
import type { ExportedEntry } from './exported-entry.js';
import { activityIdOf, ocsfClassOf } from './ocsf-class.js';

export const OCSF_VERSION = '1.8.0';

const SEVERITY_IDS: Readonly<Record<Severity, number>> = {
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};
const STATUS = {
  success: { status_id: 1, status: 'Success' },
  failure: { status_id: 2, status: 'Failure' },
  denied: { status_id: 2, status: 'Failure' },
  unknown: { status_id: 0, status: 'Unknown' },
} as const;

type Json = Record<string, unknown>;

export function toOcsf(entry: ExportedEntry): Json {
  const r = entry.record;
  const cls = ocsfClassOf(r);
  const activityId = activityIdOf(cls, r);
  const status = STATUS[r.outcome];
  const statusDetail =
    r.outcome === 'denied' ? `denied${r.reason ? `: ${r.reason}` : ''}` : r.reason;
  const actorUser = defined({ uid: r.actor.id, name: r.actor.name, type: r.actor.type });
  const event: Json = {
    class_uid: cls.classUid,
    class_name: cls.caption,
    category_uid: cls.categoryUid,
    category_name: cls.categoryName,
    activity_id: activityId,
    type_uid: cls.classUid * 100 + activityId,
    time: Date.parse(r.time),
    severity_id: r.severity ? SEVERITY_IDS[r.severity] : 1,
    ...status,
    ...(statusDetail ? { status_detail: statusDetail } : {}),
    message: r.action,
    metadata: defined({
      version: OCSF_VERSION,
      product: { name: 'Evident', vendor_name: 'Evident' },
      uid: r.id,
      sequence: entry.seq,
      logged_time: Date.parse(r.received_at),
      log_provider: r.source,
      tenant_uid: r.tenant,
      correlation_uid: r.request?.id,
    }),
    actor: defined({
      user: actorUser,
      session: r.actor.session ? { uid: r.actor.session } : undefined,
    }),
    // OCSF requires a source endpoint for API and datastore activity; without an IP the
    // record does not say where the call came from, and the name says so.
    src_endpoint: r.actor.ip ? { ip: r.actor.ip } : { name: 'unknown' },
    ...httpOf(r),
    raw_data: entry.canonical,
    unmapped: defined({
      evident_leaf_hash: entry.leafHash,
      source: r.source,
      action: r.action,
      category: r.category,
      details: r.details,
      target_sensitivity: r.target?.sensitivity,
      trace_id: cls.name === 'api_activity' ? undefined : r.trace_id,
    }),
  };
  const target = r.target
    ? defined({ uid: r.target.id, name: r.target.name, type: r.target.type })
    : undefined;
  switch (cls.name) {
    case 'authentication':
      event.user = actorUser;
      // The system reporting a sign-in is the one signed in to.
      event.service = { name: r.source };
      break;
    case 'account_change':
      event.user = target ?? actorUser;
      break;
    case 'entity_management':
      event.entity = target ?? { name: r.action.slice(0, r.action.lastIndexOf('.')) || r.action };
      break;
    case 'api_activity':
      event.api = { operation: r.action };
      if (target) event.resources = [target];
      if (r.trace_id) {
        event.trace = { uid: r.trace_id };
        (event.metadata as { profiles?: string[] }).profiles = ['trace'];
      }
      break;
    case 'datastore_activity':
      if (r.target?.type === 'table') event.table = { name: r.target.id };
      else if (r.target) event.database = { name: r.target.id, type_id: 0 };
      break;
  }
  return event;
}

function httpOf(r: EventRecord): Json {
  if (!r.request) return {};
  const { id, method, path, status } = r.request;
  const request = defined({ uid: id, http_method: method, url: path ? { path } : undefined });
  return {
    ...(Object.keys(request).length > 0 ? { http_request: request } : {}),
    ...(status !== undefined ? { http_response: { code: status } } : {}),
  };
}

/** The object without its undefined fields (OCSF attributes are absent, never null). */
function defined(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out;
}
