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
}

/**
 * The record a leaf commits to, fields in DESIGN §3 order. The server fields are trusted
 * (they come from the server's clock, id generator and key store). Nested objects are
 * shared with `submitted`, which the validator built fresh.
 */
export function buildRecord(submitted: SubmittedRecord, server: ServerFields): EventRecord {
  const record: EventRecord = {
    id: submitted.id ?? server.id,
    time: submitted.time,
    received_at: server.received_at,
    source: server.source,
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
 * RFC 8785 (JCS) text of a record: the bytes under the leaf hash (DESIGN §2.3). Throws
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
// The key set is fixed, so the members are emitted in JCS order (UTF-16 code-unit order,
// RFC 8785 §3.2.3) directly. Strings go through JSON.stringify, which for well-formed strings
// is exactly JCS string serialisation (§3.2.2.2); every other value (details, status, any
// value of an unexpected type) goes through the generic canonicalize. If an object holds a
// key this code does not know, it returns undefined and the caller uses the generic path,
// so the output always equals canonicalize(record).

function fastCanonical(r: EventRecord): string | undefined {
  if (!isPlainObject(r)) return undefined;
  let s = '';
  let n = 0;
  if (r.action !== undefined) {
    s += `,"action":${value(r.action)}`;
    n++;
  }
  if (r.actor !== undefined) {
    const actor = fastActor(r.actor);
    if (actor === undefined) return undefined;
    s += `,"actor":${actor}`;
    n++;
  }
  if (r.category !== undefined) {
    s += `,"category":${value(r.category)}`;
    n++;
  }
  if (r.details !== undefined) {
    s += `,"details":${canonicalize(r.details)}`;
    n++;
  }
  if (r.id !== undefined) {
    s += `,"id":${value(r.id)}`;
    n++;
  }
  if (r.outcome !== undefined) {
    s += `,"outcome":${value(r.outcome)}`;
    n++;
  }
  if (r.reason !== undefined) {
    s += `,"reason":${value(r.reason)}`;
    n++;
  }
  if (r.received_at !== undefined) {
    s += `,"received_at":${value(r.received_at)}`;
    n++;
  }
  if (r.request !== undefined) {
    const request = fastRequest(r.request);
    if (request === undefined) return undefined;
    s += `,"request":${request}`;
    n++;
  }
  if (r.severity !== undefined) {
    s += `,"severity":${value(r.severity)}`;
    n++;
  }
  if (r.source !== undefined) {
    s += `,"source":${value(r.source)}`;
    n++;
  }
  if (r.target !== undefined) {
    const target = fastTarget(r.target);
    if (target === undefined) return undefined;
    s += `,"target":${target}`;
    n++;
  }
  if (r.tenant !== undefined) {
    s += `,"tenant":${value(r.tenant)}`;
    n++;
  }
  if (r.time !== undefined) {
    s += `,"time":${value(r.time)}`;
    n++;
  }
  if (r.trace_id !== undefined) {
    s += `,"trace_id":${value(r.trace_id)}`;
    n++;
  }
  if (n !== keyCount(r)) return undefined;
  return n === 0 ? '{}' : `{${s.slice(1)}}`;
}

function fastActor(a: EventRecord['actor']): string | undefined {
  if (!isPlainObject(a)) return undefined;
  let s = '';
  let n = 0;
  if (a.id !== undefined) {
    s += `,"id":${value(a.id)}`;
    n++;
  }
  if (a.ip !== undefined) {
    s += `,"ip":${value(a.ip)}`;
    n++;
  }
  if (a.name !== undefined) {
    s += `,"name":${value(a.name)}`;
    n++;
  }
  if (a.session !== undefined) {
    s += `,"session":${value(a.session)}`;
    n++;
  }
  if (a.type !== undefined) {
    s += `,"type":${value(a.type)}`;
    n++;
  }
  if (n !== keyCount(a)) return undefined;
  return n === 0 ? '{}' : `{${s.slice(1)}}`;
}

function fastTarget(t: NonNullable<EventRecord['target']>): string | undefined {
  if (!isPlainObject(t)) return undefined;
  let s = '';
  let n = 0;
  if (t.id !== undefined) {
    s += `,"id":${value(t.id)}`;
    n++;
  }
  if (t.name !== undefined) {
    s += `,"name":${value(t.name)}`;
    n++;
  }
  if (t.sensitivity !== undefined) {
    s += `,"sensitivity":${value(t.sensitivity)}`;
    n++;
  }
  if (t.type !== undefined) {
    s += `,"type":${value(t.type)}`;
    n++;
  }
  if (n !== keyCount(t)) return undefined;
  return n === 0 ? '{}' : `{${s.slice(1)}}`;
}

function fastRequest(q: NonNullable<EventRecord['request']>): string | undefined {
  if (!isPlainObject(q)) return undefined;
  let s = '';
  let n = 0;
  if (q.id !== undefined) {
    s += `,"id":${value(q.id)}`;
    n++;
  }
  if (q.method !== undefined) {
    s += `,"method":${value(q.method)}`;
    n++;
  }
  if (q.path !== undefined) {
    s += `,"path":${value(q.path)}`;
    n++;
  }
  if (q.status !== undefined) {
    s += `,"status":${value(q.status)}`;
    n++;
  }
  if (n !== keyCount(q)) return undefined;
  return n === 0 ? '{}' : `{${s.slice(1)}}`;
}

function value(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : canonicalize(v);
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
