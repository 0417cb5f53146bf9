import { CoreError } from '../../core/errors.js';
import type { JsonObject, SubmittedRecord } from '../../core/record/types.js';
import { validateSubmittedRecord } from '../../core/record/validate.js';
import type { AttrValue, OtlpLogRecord } from './decode.js';

/**
 * Log-record attributes that fill record fields (docs/connect.md has the table). Any other
 * attribute, the resource and the body go to details. Semantic-convention names first,
 * then the explicit `evident.*` ones, which win.
 */
const USED = [
  'evident.action',
  'evident.outcome',
  'evident.category',
  'evident.target.type',
  'evident.target.id',
  'evident.target.name',
  'enduser.id',
  'user.id',
  'user.name',
  'client.address',
  'session.id',
  'event.outcome',
];

const MAX_BODY_CHARS = 8192;

export type OtlpMapResult = { ok: true; record: SubmittedRecord } | { ok: false; error: string };

/** One OTLP log record as a validated Evident record, or why it was rejected. */
export function otlpToRecord(
  log: OtlpLogRecord,
  receivedAtMs: number,
  boundSource: string,
): OtlpMapResult {
  const a = log.attributes;
  const str = (key: string) =>
    typeof a[key] === 'string' && a[key] !== '' ? (a[key] as string) : undefined;
  const service =
    typeof log.resource['service.name'] === 'string'
      ? (log.resource['service.name'] as string)
      : undefined;
  const userId = str('enduser.id') ?? str('user.id');
  const actor = {
    id: userId ?? service ?? 'unknown',
    type: userId ? 'user' : 'service',
    ...(str('user.name') ? { name: str('user.name') } : {}),
    ...(str('client.address') ? { ip: str('client.address') } : {}),
    ...(str('session.id') ? { session: str('session.id') } : {}),
  };
  const targetId = str('evident.target.id');
  const details: JsonObject = {};
  if (log.body !== undefined) details.body = capped(log.body);
  if (log.severityText) details.severity_text = log.severityText;
  if (log.severityNumber !== undefined) details.severity_number = log.severityNumber;
  if (log.spanId) details.span_id = log.spanId;
  if (log.scope.name)
    details.scope = log.scope.version ? `${log.scope.name}@${log.scope.version}` : log.scope.name;
  const rest = Object.fromEntries(Object.entries(a).filter(([k]) => !USED.includes(k)));
  if (Object.keys(rest).length > 0) details.attributes = rest as JsonObject;
  if (Object.keys(log.resource).length > 0) details.resource = log.resource as JsonObject;
  const candidate = {
    time: timeOf(log.timeUnixNano ?? log.observedTimeUnixNano, receivedAtMs),
    actor,
    action: str('evident.action') ?? eventAction(log.eventName) ?? 'otel.log',
    outcome: str('evident.outcome') ?? outcomeOf(str('event.outcome')),
    ...(targetId
      ? {
          target: {
            id: targetId,
            ...(str('evident.target.type') ? { type: str('evident.target.type') } : {}),
            ...(str('evident.target.name') ? { name: str('evident.target.name') } : {}),
          },
        }
      : {}),
    ...(str('evident.category') ? { category: str('evident.category') } : {}),
    ...(log.severityNumber ? { severity: severityOf(log.severityNumber) } : {}),
    ...(log.traceId ? { trace_id: log.traceId } : {}),
    details,
  };
  try {
    return { ok: true, record: validateSubmittedRecord(candidate, '$', { boundSource }) };
  } catch (error) {
    if (error instanceof CoreError) return { ok: false, error: error.message };
    throw error;
  }
}

function timeOf(nanos: string | undefined, receivedAtMs: number): string {
  if (nanos === undefined) return new Date(receivedAtMs).toISOString();
  const ms = Number(BigInt(nanos) / 1_000_000n);
  return Number.isFinite(ms) && ms >= 0 && ms <= 253402300799999
    ? new Date(ms).toISOString()
    : nanos;
}

/** An event name already in <object>.<verb> form is the action. */
function eventAction(name: string | undefined): string | undefined {
  return name && /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/.test(name) ? name : undefined;
}

/** ECS event.outcome (success | failure | unknown) onto the record's outcome. */
function outcomeOf(v: string | undefined): string {
  return v === 'success' || v === 'failure' ? v : 'unknown';
}

/** OTLP SeverityNumber ranges (logs data model): TRACE/DEBUG/INFO, WARN, ERROR, FATAL. */
function severityOf(n: number): string {
  if (n >= 21) return 'critical';
  if (n >= 17) return 'medium';
  if (n >= 13) return 'low';
  return 'info';
}

function capped(body: AttrValue): AttrValue {
  if (typeof body === 'string' && body.length > MAX_BODY_CHARS)
    return `${body.slice(0, MAX_BODY_CHARS)}…`;
  return body;
}
