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
// inherited key), these return undefined / false and the caller uses the generic path, so
// the output always equals canonicalize(record).
//
// The pieces are collected in an array and joined once. Joining makes one flat string;
// `s += piece` made a rope (a V8 cons string) of ~40 small strings per record, and the
// canonical text is kept from the request until its batch is acknowledged (hundreds of ms
// under load): every piece of the rope survived young-generation collections and was
// promoted to the old generation, to be marked and compacted there.

function fastCanonical(r: EventRecord): string | undefined {
  if (!isPlainObject(r) || typeof r.action !== 'string') return undefined;
  const out: string[] = ['{"action":'];
  pushQuoted(out, r.action);
  out.push(',"actor":');
  if (!pushActor(out, r.actor)) return undefined;
  let n = 2;
  n += member(out, ',"category":', r.category);
  if (r.details !== undefined) {
    out.push(',"details":', canonicalize(r.details));
    n++;
  }
  n += member(out, ',"historical":', r.historical);
  n += member(out, ',"id":', r.id);
  n += member(out, ',"outcome":', r.outcome);
  n += member(out, ',"reason":', r.reason);
  n += member(out, ',"received_at":', r.received_at);
  if (r.request !== undefined) {
    out.push(',"request":');
    if (!pushRequest(out, r.request)) return undefined;
    n++;
  }
  n += member(out, ',"severity":', r.severity);
  n += member(out, ',"source":', r.source);
  if (r.target !== undefined) {
    out.push(',"target":');
    if (!pushTarget(out, r.target)) return undefined;
    n++;
  }
  n += member(out, ',"tenant":', r.tenant);
  n += member(out, ',"time":', r.time);
  n += member(out, ',"trace_id":', r.trace_id);
  if (n !== keyCount(r)) return undefined;
  out.push('}');
  return out.join('');
}

function pushActor(out: string[], a: unknown): boolean {
  if (!isPlainObject(a) || typeof a.id !== 'string') return false;
  out.push('{"id":');
  pushQuoted(out, a.id);
  let n = 1;
  n += member(out, ',"ip":', a.ip);
  n += member(out, ',"name":', a.name);
  n += member(out, ',"session":', a.session);
  n += member(out, ',"type":', a.type);
  out.push('}');
  return n === keyCount(a);
}

function pushTarget(out: string[], t: unknown): boolean {
  if (!isPlainObject(t) || typeof t.id !== 'string') return false;
  out.push('{"id":');
  pushQuoted(out, t.id);
  let n = 1;
  n += member(out, ',"name":', t.name);
  n += member(out, ',"sensitivity":', t.sensitivity);
  n += member(out, ',"type":', t.type);
  out.push('}');
  return n === keyCount(t);
}

function pushRequest(out: string[], q: unknown): boolean {
  if (!isPlainObject(q)) return false;
  out.push('{');
  // Every member is optional here: each is pushed with its ',' and the first one loses it.
  const first = out.length;
  let n = 0;
  n += member(out, ',"id":', q.id);
  n += member(out, ',"method":', q.method);
  n += member(out, ',"path":', q.path);
  n += member(out, ',"status":', q.status);
  if (n > 0) out[first] = out[first]!.slice(1);
  out.push('}');
  return n === keyCount(q);
}

/** Pushes `prefix` (`,"name":`) and the value when the member is present; returns 1 if so, else 0. */
function member(out: string[], prefix: string, v: unknown): number {
  if (v === undefined) return 0;
  out.push(prefix);
  if (typeof v === 'string') pushQuoted(out, v);
  // JCS numbers are ECMAScript Number::toString (RFC 8785 §3.2.2.3), as String() gives.
  else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v));
  else out.push(canonicalize(v));
  return 1;
}

/**
 * Pushes JSON.stringify(text), skipping the call (and the quoted copy) for the common short
 * string that needs no escape: no '"', '\\', control character or surrogate
 * (JSON.stringify escapes lone surrogates).
 */
function pushQuoted(out: string[], text: string): void {
  if (text.length > 64) {
    out.push(JSON.stringify(text));
    return;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      out.push(JSON.stringify(text));
      return;
    }
  }
  out.push('"', text, '"');
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
