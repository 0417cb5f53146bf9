/**
 * The audit record: what a source submits, and the record a leaf commits to.
 * The value lists and limits are exported so the OpenAPI document, the CLI and the
 * validator share one definition.
 */

export const OUTCOMES = ['success', 'failure', 'denied', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Maps to OCSF classes / ECS `event.category` on SIEM export. */
export const CATEGORIES = [
  'authentication',
  'iam',
  'api',
  'data',
  'file',
  'config',
  'audit',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** Fields a source may send (`source` is also tolerated when it equals the key's source). */
export const SUBMITTED_RECORD_FIELDS = [
  'id',
  'time',
  'actor',
  'action',
  'target',
  'outcome',
  'reason',
  'details',
  'category',
  'severity',
  'request',
  'trace_id',
  'tenant',
] as const;
/** Fields of the stored record, in the order the README documents. */
export const EVENT_RECORD_FIELDS = [
  'id',
  'time',
  'received_at',
  'source',
  'historical',
  'actor',
  'action',
  'target',
  'outcome',
  'reason',
  'details',
  'category',
  'severity',
  'request',
  'trace_id',
  'tenant',
] as const;
export const ACTOR_FIELDS = ['id', 'type', 'name', 'ip', 'session'] as const;
export const TARGET_FIELDS = ['type', 'id', 'name', 'sensitivity'] as const;
export const REQUEST_FIELDS = ['id', 'method', 'path', 'status'] as const;

// Limits. String lengths count UTF-16 code units (JavaScript `length`): an emoji counts 2.
/** Cap on the UTF-8 length of JCS(record), so every leaf fits a C2SP tile later. */
export const MAX_CANONICAL_RECORD_BYTES = 32_768;
export const MAX_RECORDS_PER_REQUEST = 10_000;
/** Nested objects/arrays in one record, counting the record object itself as 1. */
export const MAX_DEPTH = 16;
export const MAX_SOURCE_LENGTH = 128;
export const MAX_ACTOR_ID_LENGTH = 256;
export const MAX_ACTOR_NAME_LENGTH = 256;
export const MAX_ACTOR_SESSION_LENGTH = 256;
/** Longest textual IPv6 address (with an embedded IPv4 tail). */
export const MAX_IP_LENGTH = 45;
/** `actor.type` and `target.type`. */
export const MAX_TYPE_LENGTH = 64;
export const MAX_ACTION_LENGTH = 128;
export const MAX_TARGET_ID_LENGTH = 256;
export const MAX_TARGET_NAME_LENGTH = 256;
export const MAX_REASON_LENGTH = 8_192;
export const MAX_REQUEST_ID_LENGTH = 256;
export const MAX_REQUEST_METHOD_LENGTH = 32;
export const MAX_REQUEST_PATH_LENGTH = 2_048;
export const MIN_REQUEST_STATUS = 100;
export const MAX_REQUEST_STATUS = 599;
export const MAX_TRACE_ID_LENGTH = 128;
export const MAX_TENANT_LENGTH = 128;
/** Longest accepted `time` text (room for 30+ fractional digits and an offset). */
export const MAX_TIME_LENGTH = 64;
export const MAX_DETAILS_KEY_LENGTH = 256;
/** Earliest and latest accepted UTC year of `time`. */
export const MIN_TIME_YEAR = 1970;
export const MAX_TIME_YEAR = 9999;

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface Actor {
  id: string;
  type?: string;
  name?: string;
  /** IPv4 dotted quad or IPv6, as the source sent it. */
  ip?: string;
  session?: string;
}

export interface Target {
  type?: string;
  id: string;
  name?: string;
  sensitivity?: Sensitivity;
}

export interface RequestInfo {
  id?: string;
  method?: string;
  path?: string;
  /** HTTP status, an integer 100–599. */
  status?: number;
}

/** A source's event after validation: no `received_at`, no `source`, `id` optional. */
export interface SubmittedRecord {
  /** ULID (upper case) or UUID (lower case). */
  id?: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  time: string;
  actor: Actor;
  /** Dotted `<object>.<verb>`. */
  action: string;
  target?: Target;
  outcome: Outcome;
  reason?: string;
  details?: JsonObject;
  category?: Category;
  severity?: Severity;
  request?: RequestInfo;
  trace_id?: string;
  tenant?: string;
}

/** What a leaf commits to: `leaf_hash = SHA-256(0x00 ‖ JCS(record))` (RFC 9162 §2.1.1 over RFC 8785). */
export interface EventRecord extends Omit<SubmittedRecord, 'id'> {
  id: string;
  /** Set by the server: UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`; authoritative. */
  received_at: string;
  /** From the ingest key, never from the body. */
  source: string;
  /**
   * Set by the server (present only as `true`) when the ingest request declared a backfill
   * (`?historical=true`, `evident ingest --historical`). In the record, so the leaf commits
   * to it: an auditor can tell an import from live events, and nobody can later flip it to
   * hide an event from the monitor or add one to it.
   */
  historical?: true;
}
