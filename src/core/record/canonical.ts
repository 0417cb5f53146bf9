import { canonicalize } from '../canonical-json.js';
import { CoreError } from '../errors.js';
import { type EventRecord, MAX_CANONICAL_RECORD_BYTES, type SubmittedRecord } from './types.js';
import { isPlainObject } from './validate.js';

/** The fields the server attaches to a submitted event. */
export interface ServerFields {
  /** Used when the source sent no `id`. */
  id: string;
  /** UTC `YYYY-MM-DDTHH:MM:SS.sssZ`, from the server's clock. */
  received_at: string;
  /** The source the ingest key is bound to. */
  source: string;
  /** The request declared a backfill (EventRecord.historical). */
  historical?: boolean;
}

/**
 * The record a leaf commits to, fields in EVENT_RECORD_FIELDS order. The server fields are trusted
 * (they come from the server's clock, id generator and key store). Nested objects are
 * shared with `submitted`, which the validator built fresh.
 */
export function buildRecord(submitted: SubmittedRecord, server: ServerFields): EventRecord {
  const record: EventRecord = {
    id: submitted.id ?? server.id,
    time: submitted.time,
    received_at: server.received_at,
    source: server.source,
    ...(server.historical ? { historical: true as const } : {}),
    actor: submitted.actor,
    action: submitted.action,
    outcome: submitted.outcome,
  };
  if (submitted.target !== undefined) record.target = submitted.target;
  if (submitted.reason !== undefined) record.reason = submitted.reason;
  if (submitted.details !== undefined) record.details = submitted.details;
  if (submitted.category !== undefined) record.category = submitted.category;
  if (submitted.severity !== undefined) record.severity = submitted.severity;
  if (submitted.request !== undefined) record.request = submitted.request;
  if (submitted.trace_id !== undefined) record.trace_id = submitted.trace_id;
  if (submitted.tenant !== undefined) record.tenant = submitted.tenant;
  return record;
}

/**
 * RFC 8785 (JCS) text of a record: the bytes under the leaf hash. Throws
 * RECORD_TOO_LARGE when its UTF-8 form exceeds MAX_CANONICAL_RECORD_BYTES; `path` is the
 * record's path in its request, for that error.
 */
export function canonicalRecord(record: EventRecord, path = '$'): string {
  const text = fastCanonical(record) ?? canonicalize(record);
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short texts need no count.
  if (text.length * 3 > MAX_CANONICAL_RECORD_BYTES) {
    const bytes = utf8Length(text);
    if (bytes > MAX_CANONICAL_RECORD_BYTES) {
      throw new CoreError(
        'RECORD_TOO_LARGE',
        `${path}: the canonical record is ${bytes} bytes; the cap is ${MAX_CANONICAL_RECORD_BYTES} bytes (32 KiB); shorten "details" or "reason"`,
        { path },
      );
    }
  }
  return text;
}

/** Parses stored canonical text back into a record (reads; the text was validated on write). */
export function recordFromCanonical(text: string): EventRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CoreError(
      'MALFORMED_JSON',
      `stored record is not JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!isPlainObject(value))
    throw new CoreError('MALFORMED_JSON', 'stored record is not an object');
  return value as unknown as EventRecord;
}

// ---- fast JCS for the fixed schema ---------------------------------------------------------
//
// The key set is fixed, so members are emitted in JCS order (UTF-16 code-unit order,
// RFC 8785 §3.2.3) directly: action, actor, category, details, historical, id, outcome,
// reason, received_at, request, severity, source, target, tenant, time, trace_id; actor: id,
// ip, name, session, type; target: id, name, sensitivity, type; request: id, method, path,
// status. Strings are serialised as JSON.stringify does (JCS §3.2.2.2), finite numbers as
// String() does (§3.2.2.3); everything else (details, anything of an unexpected type) goes
// through the generic canonicalize.
// Whenever the record is not the expected shape (a required string missing, an unknown or
// inherited key), these return undefined and the caller uses the generic path, so the
// output always equals canonicalize(record).

function fastCanonical(r: EventRecord): string | undefined {
  if (!isPlainObject(r) || typeof r.action !== 'string') return undefined;
  const actor = fastActor(r.actor);
  if (actor === undefined) return undefined;
  let s = `{"action":${quote(r.action)},"actor":${actor}`;
  let n = 2;
  if (r.category !== undefined) {
    s += `,"category":${json(r.category)}`;
    n++;
  }
  if (r.details !== undefined) {
    s += `,"details":${canonicalize(r.details)}`;
    n++;
  }
  if (r.historical !== undefined) {
    s += `,"historical":${json(r.historical)}`;
    n++;
  }
  if (r.id !== undefined) {
    s += `,"id":${json(r.id)}`;
    n++;
  }
  if (r.outcome !== undefined) {
    s += `,"outcome":${json(r.outcome)}`;
    n++;
  }
  if (r.reason !== undefined) {
    s += `,"reason":${json(r.reason)}`;
    n++;
  }
  if (r.received_at !== undefined) {
    s += `,"received_at":${json(r.received_at)}`;
    n++;
  }
  if (r.request !== undefined) {
    const request = fastRequest(r.request);
    if (request === undefined) return undefined;
    s += `,"request":${request}`;
    n++;
  }
  if (r.severity !== undefined) {
    s += `,"severity":${json(r.severity)}`;
    n++;
  }
  if (r.source !== undefined) {
    s += `,"source":${json(r.source)}`;
    n++;
  }
  if (r.target !== undefined) {
    const target = fastTarget(r.target);
    if (target === undefined) return undefined;
    s += `,"target":${target}`;
    n++;
  }
  if (r.tenant !== undefined) {
    s += `,"tenant":${json(r.tenant)}`;
    n++;
  }
  if (r.time !== undefined) {
    s += `,"time":${json(r.time)}`;
    n++;
  }
  if (r.trace_id !== undefined) {
    s += `,"trace_id":${json(r.trace_id)}`;
    n++;
  }
  return n === keyCount(r) ? `${s}}` : undefined;
}

function fastActor(a: unknown): string | undefined {
  if (!isPlainObject(a) || typeof a.id !== 'string') return undefined;
  let s = `{"id":${quote(a.id)}`;
  let n = 1;
  if (a.ip !== undefined) {
    s += `,"ip":${json(a.ip)}`;
    n++;
  }
  if (a.name !== undefined) {
    s += `,"name":${json(a.name)}`;
    n++;
  }
  if (a.session !== undefined) {
    s += `,"session":${json(a.session)}`;
    n++;
  }
  if (a.type !== undefined) {
    s += `,"type":${json(a.type)}`;
    n++;
  }
  return n === keyCount(a) ? `${s}}` : undefined;
}

function fastTarget(t: unknown): string | undefined {
  if (!isPlainObject(t) || typeof t.id !== 'string') return undefined;
  let s = `{"id":${quote(t.id)}`;
  let n = 1;
  if (t.name !== undefined) {
    s += `,"name":${json(t.name)}`;
    n++;
  }
  if (t.sensitivity !== undefined) {
    s += `,"sensitivity":${json(t.sensitivity)}`;
    n++;
  }
  if (t.type !== undefined) {
    s += `,"type":${json(t.type)}`;
    n++;
  }
  return n === keyCount(t) ? `${s}}` : undefined;
}

function fastRequest(q: unknown): string | undefined {
  if (!isPlainObject(q)) return undefined;
  // Every member is optional here: prefix each with ',' and drop the first one.
  let s = '';
  let n = 0;
  if (q.id !== undefined) {
    s += `,"id":${json(q.id)}`;
    n++;
  }
  if (q.method !== undefined) {
    s += `,"method":${json(q.method)}`;
    n++;
  }
  if (q.path !== undefined) {
    s += `,"path":${json(q.path)}`;
    n++;
  }
  if (q.status !== undefined) {
    s += `,"status":${json(q.status)}`;
    n++;
  }
  if (n !== keyCount(q)) return undefined;
  return n === 0 ? '{}' : `{${s.slice(1)}}`;
}

function json(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  // JCS numbers are ECMAScript Number::toString (RFC 8785 §3.2.2.3), as String() gives.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return canonicalize(v);
}

/**
 * JSON.stringify(text), skipping the call for the common short string that needs no escape:
 * no '"', '\\', control character or surrogate (JSON.stringify escapes lone surrogates).
 */
function quote(text: string): string {
  if (text.length > 64) return JSON.stringify(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

/** Enumerable keys, own or inherited: any key beyond the schema sends us to the slow path. */
function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
