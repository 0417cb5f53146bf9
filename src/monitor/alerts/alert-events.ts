import type { Principal } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { AuditActor, SelfAuditEvent } from '../../log/self-audit.js';
import type { ActorSnapshot, AlertRecord, HistoryEntry } from './alert.js';
import { MAX_EVENT_SEQS } from './alert.js';

/** The engine and the source checks act as Evident itself. */
export const MONITOR_ACTOR: ActorSnapshot = { kind: 'system', id: 'monitor' };

/** How a route's principal is remembered on a step (ingest keys never handle alerts). */
export function snapshotOf(principal: Principal, ip?: string): ActorSnapshot {
  if (principal.kind === 'ingest') {
    throw new AppError('ingest_key_append_only', 'an ingest key cannot handle alerts');
  }
  const c = principal.credential;
  return {
    kind: principal.kind,
    id: principal.id,
    name: principal.name,
    credential: c.method,
    ...(c.method === 'session' ? { session: c.sessionId } : {}),
    ...(ip !== undefined ? { ip } : {}),
  };
}

/** The actor SelfAudit writes for a step: the fields the event shows (id, name, type, session). */
function auditActorOf(by: ActorSnapshot): AuditActor {
  if (by.kind === 'system') return { kind: 'system', id: by.id };
  const credential =
    by.credential === 'bootstrap'
      ? { method: 'bootstrap' as const }
      : by.credential === 'session'
        ? { method: 'session' as const, sessionId: by.session ?? '' }
        : { method: 'token' as const };
  return { kind: by.kind, id: by.id, name: by.name ?? by.id, credential };
}

/** The log event of one step: `alert.<action>`, target the alert, the step's facts as details. */
export function eventFor(alert: AlertRecord, step: HistoryEntry): SelfAuditEvent {
  const common = { rule: alert.ruleId, severity: alert.severity };
  const details = (() => {
    switch (step.action) {
      case 'raise':
        return {
          ...common,
          title: cleanText(alert.title, 256),
          seqs: alert.seqs.slice(0, MAX_EVENT_SEQS),
          seq_count: alert.seqCount,
          sources: alert.sources,
          triggered_at: new Date(alert.triggeredAtMs).toISOString(),
          ...(alert.group ? { group: cleanGroup(alert.group) } : {}),
        };
      case 'resolve':
        return {
          ...common,
          from: step.from,
          disposition: step.disposition ?? null,
          note: step.note ?? '',
        };
      case 'reopen':
        return { ...common, from: step.from, note: step.note ?? '' };
      case 'assign':
        return { ...common, state: step.to, assignee: step.assignee ?? null };
      case 'comment':
        return { ...common, state: step.to, text: step.text ?? '' };
      case 'acknowledge':
        return { ...common, from: step.from };
    }
  })();
  return {
    id: step.eventId,
    principal: auditActorOf(step.by),
    ...(step.by.ip !== undefined ? { ip: step.by.ip } : {}),
    action: `alert.${step.action}`,
    target: { type: 'alert', id: alert.id },
    category: 'audit',
    details,
  };
}

/**
 * Rule titles and groups come from rule files and event fields: keep them storable in a
 * record (no NUL, no lone surrogates, bounded) rather than fail the append.
 */
export function cleanText(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut
    .replaceAll('\u0000', '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function cleanGroup(group: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(group)) {
    const key = cleanText(k, 256);
    if (key !== '' && key !== '__proto__') out[key] = cleanText(v, 1024);
  }
  return out;
}
