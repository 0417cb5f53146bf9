/**
 * The audit record a source sends (the server's DESIGN §3). Types only plus one builder: the
 * server validates every field and answers a 400 naming the bad one, so the client checks
 * just what it needs itself (the required fields) and leaves the rest to one authority.
 */
import { EvidentClientError } from './errors.js';

export type Outcome = 'success' | 'failure' | 'denied' | 'unknown';
export type Category = 'authentication' | 'iam' | 'api' | 'data' | 'file' | 'config' | 'audit';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Sensitivity = 'public' | 'internal' | 'confidential' | 'restricted';
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface Actor {
  id: string;
  type?: string;
  name?: string;
  ip?: string;
  session?: string;
}

export interface Target {
  id: string;
  type?: string;
  name?: string;
  sensitivity?: Sensitivity;
}

export interface RequestInfo {
  id?: string;
  method?: string;
  path?: string;
  status?: number;
}

/** What a caller hands to `client.log()`: `time` defaults to now, `id` to a fresh ULID. */
export interface AuditEvent {
  id?: string;
  time?: string | Date;
  actor: Actor;
  /** Dotted `<object>.<verb>`, like `customer.read`. */
  action: string;
  target?: Target;
  outcome: Outcome;
  reason?: string;
  details?: { [k: string]: JsonValue };
  category?: Category;
  severity?: Severity;
  request?: RequestInfo;
  trace_id?: string;
  tenant?: string;
}

/** The record as sent: id and time always present, so a retry is byte-for-byte the same. */
export interface OutgoingRecord extends AuditEvent {
  id: string;
  time: string;
}

const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'denied', 'unknown'];

/** Fills `id` and `time`, drops undefined fields, and checks the required ones. */
export function buildRecord(event: AuditEvent, id: string, nowMs: number): OutgoingRecord {
  if (event === null || typeof event !== 'object') {
    throw new EvidentClientError('invalid_record', 'an event must be an object');
  }
  if (typeof event.action !== 'string' || event.action === '') {
    throw new EvidentClientError('invalid_record', 'event.action must be a non-empty string');
  }
  if (typeof event.actor?.id !== 'string' || event.actor.id === '') {
    throw new EvidentClientError('invalid_record', 'event.actor.id must be a non-empty string');
  }
  if (!OUTCOMES.includes(event.outcome)) {
    throw new EvidentClientError(
      'invalid_record',
      `event.outcome must be one of ${OUTCOMES.join(', ')}`,
    );
  }
  const time =
    event.time instanceof Date
      ? event.time.toISOString()
      : (event.time ?? new Date(nowMs).toISOString());
  return withoutUndefined({ ...event, id: event.id ?? id, time }) as OutgoingRecord;
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}
