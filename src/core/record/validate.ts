import { closest } from '../did-you-mean.js';
import { CoreError } from '../errors.js';
import { isConstructorPrototype } from './prototype-keys.js';
import {
  ACTOR_FIELDS,
  type Actor,
  CATEGORIES,
  type Category,
  type JsonObject,
  type JsonValue,
  MAX_ACTION_LENGTH,
  MAX_ACTOR_ID_LENGTH,
  MAX_ACTOR_NAME_LENGTH,
  MAX_ACTOR_SESSION_LENGTH,
  MAX_DEPTH,
  MAX_DETAILS_KEY_LENGTH,
  MAX_IP_LENGTH,
  MAX_REASON_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MAX_REQUEST_METHOD_LENGTH,
  MAX_REQUEST_PATH_LENGTH,
  MAX_REQUEST_STATUS,
  MAX_TARGET_ID_LENGTH,
  MAX_TARGET_NAME_LENGTH,
  MAX_TENANT_LENGTH,
  MAX_TIME_LENGTH,
  MAX_TIME_YEAR,
  MAX_TRACE_ID_LENGTH,
  MAX_TYPE_LENGTH,
  MIN_REQUEST_STATUS,
  MIN_TIME_YEAR,
  OUTCOMES,
  type Outcome,
  REQUEST_FIELDS,
  type RequestInfo,
  SENSITIVITIES,
  SEVERITIES,
  type Sensitivity,
  type Severity,
  SUBMITTED_RECORD_FIELDS,
  type SubmittedRecord,
  TARGET_FIELDS,
  type Target,
} from './types.js';

export interface ValidateOptions {
  /** The source the ingest key is bound to; a `source` in the body must equal it. */
  boundSource: string;
}

/**
 * Validates one submitted event and returns a NEW plain object holding only the known
 * fields, normalised (`id` case, `time` to UTC milliseconds). `path` is the JSON path of the
 * event in its request ("$" or "$[3]"); every error is an INVALID_RECORD CoreError whose
 * `path` names the offending field.
 */
export function validateSubmittedRecord(
  value: unknown,
  path: string,
  options: ValidateOptions,
): SubmittedRecord {
  if (!isPlainObject(value))
    fail(path, '', `an event must be a JSON object; got ${describe(value)}`);
  let id: string | undefined;
  let time: string | undefined;
  let actor: Actor | undefined;
  let action: string | undefined;
  let target: Target | undefined;
  let outcome: Outcome | undefined;
  let reason: string | undefined;
  let details: JsonObject | undefined;
  let category: Category | undefined;
  let severity: Severity | undefined;
  let request: RequestInfo | undefined;
  let traceId: string | undefined;
  let tenant: string | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = value[key];
    // `undefined` cannot come from JSON; from a JavaScript caller it means "absent".
    if (v === undefined) continue;
    switch (key) {
      case 'id':
        id = checkId(v, path);
        break;
      case 'time':
        time = checkTime(v, path);
        break;
      case 'actor':
        actor = checkActor(v, path);
        break;
      case 'action':
        action = checkAction(v, path);
        break;
      case 'target':
        target = checkTarget(v, path);
        break;
      case 'outcome':
        outcome = checkEnum(v, path, 'outcome', OUTCOMES, true);
        break;
      case 'reason':
        reason = checkText(v, path, 'reason', MAX_REASON_LENGTH, false);
        break;
      case 'details':
        details = checkDetails(v, path);
        break;
      case 'category':
        category = checkEnum(v, path, 'category', CATEGORIES, false);
        break;
      case 'severity':
        severity = checkEnum(v, path, 'severity', SEVERITIES, false);
        break;
      case 'request':
        request = checkRequest(v, path);
        break;
      case 'trace_id':
        traceId = checkText(v, path, 'trace_id', MAX_TRACE_ID_LENGTH, false);
        break;
      case 'tenant':
        tenant = checkText(v, path, 'tenant', MAX_TENANT_LENGTH, false);
        break;
      case 'source':
        if (v !== options.boundSource) {
          fail(
            path,
            'source',
            `this ingest key is bound to source ${JSON.stringify(options.boundSource)}; omit "source" (the server sets it from the key) or send exactly that value; got ${describe(v)}`,
          );
        }
        break;
      case 'received_at':
        fail(path, 'received_at', 'is set by the server on arrival; omit it (send "time" instead)');
        break;
      case 'historical':
        fail(
          path,
          'historical',
          'is set by the server; declare a backfill with ?historical=true on the request (evident ingest --historical)',
        );
        break;
      default:
        unknownField(path, '', key, SUBMITTED_RECORD_FIELDS);
    }
  }
  if (time === undefined) {
    fail(path, 'time', `required: ${TIME_FORMAT}`);
  }
  if (actor === undefined) fail(path, 'actor', 'required: an object with at least "id"');
  if (action === undefined) fail(path, 'action', `required: ${ACTION_FORMAT}`);
  if (outcome === undefined) fail(path, 'outcome', `required: one of ${OUTCOMES.join(', ')}`);

  const record: SubmittedRecord = { time, actor, action, outcome };
  if (id !== undefined) record.id = id;
  if (target !== undefined) record.target = target;
  if (reason !== undefined) record.reason = reason;
  if (details !== undefined) record.details = details;
  if (category !== undefined) record.category = category;
  if (severity !== undefined) record.severity = severity;
  if (request !== undefined) record.request = request;
  if (traceId !== undefined) record.trace_id = traceId;
  if (tenant !== undefined) record.tenant = tenant;
  return record;
}

// ---- nested objects of the fixed schema ------------------------------------------------

function checkActor(value: unknown, path: string): Actor {
  if (!isPlainObject(value)) {
    fail(path, 'actor', `required object with at least "id"; got ${describe(value)}`);
  }
  let id: string | undefined;
  let type: string | undefined;
  let name: string | undefined;
  let ip: string | undefined;
  let session: string | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = value[key];
    if (v === undefined) continue;
    switch (key) {
      case 'id':
        id = checkText(v, path, 'actor.id', MAX_ACTOR_ID_LENGTH, true);
        break;
      case 'type':
        type = checkText(v, path, 'actor.type', MAX_TYPE_LENGTH, false);
        break;
      case 'name':
        name = checkText(v, path, 'actor.name', MAX_ACTOR_NAME_LENGTH, false);
        break;
      case 'ip':
        ip = checkIp(v, path);
        break;
      case 'session':
        session = checkText(v, path, 'actor.session', MAX_ACTOR_SESSION_LENGTH, false);
        break;
      default:
        unknownField(path, 'actor', key, ACTOR_FIELDS);
    }
  }
  if (id === undefined) {
    fail(path, 'actor.id', `required string, 1–${MAX_ACTOR_ID_LENGTH} characters`);
  }
  const actor: Actor = { id };
  if (type !== undefined) actor.type = type;
  if (name !== undefined) actor.name = name;
  if (ip !== undefined) actor.ip = ip;
  if (session !== undefined) actor.session = session;
  return actor;
}

function checkTarget(value: unknown, path: string): Target {
  if (value === null) omitNull(path, 'target');
  if (!isPlainObject(value)) {
    fail(path, 'target', `must be an object with at least "id"; got ${describe(value)}`);
  }
  let type: string | undefined;
  let id: string | undefined;
  let name: string | undefined;
  let sensitivity: Sensitivity | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = value[key];
    if (v === undefined) continue;
    switch (key) {
      case 'type':
        type = checkText(v, path, 'target.type', MAX_TYPE_LENGTH, false);
        break;
      case 'id':
        id = checkText(v, path, 'target.id', MAX_TARGET_ID_LENGTH, true);
        break;
      case 'name':
        name = checkText(v, path, 'target.name', MAX_TARGET_NAME_LENGTH, false);
        break;
      case 'sensitivity':
        sensitivity = checkEnum(v, path, 'target.sensitivity', SENSITIVITIES, false);
        break;
      default:
        unknownField(path, 'target', key, TARGET_FIELDS);
    }
  }
  if (id === undefined) {
    fail(
      path,
      'target.id',
      `required when "target" is present: a string, 1–${MAX_TARGET_ID_LENGTH} characters`,
    );
  }
  const target: Target = { id };
  if (type !== undefined) target.type = type;
  if (name !== undefined) target.name = name;
  if (sensitivity !== undefined) target.sensitivity = sensitivity;
  return target;
}

/** Returns undefined for `{}`: an empty request means the same as none (one spelling). */
function checkRequest(value: unknown, path: string): RequestInfo | undefined {
  if (value === null) omitNull(path, 'request');
  if (!isPlainObject(value)) {
    fail(path, 'request', `must be an object (id, method, path, status); got ${describe(value)}`);
  }
  let id: string | undefined;
  let method: string | undefined;
  let requestPath: string | undefined;
  let status: number | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = value[key];
    if (v === undefined) continue;
    switch (key) {
      case 'id':
        id = checkText(v, path, 'request.id', MAX_REQUEST_ID_LENGTH, false);
        break;
      case 'method':
        method = checkText(v, path, 'request.method', MAX_REQUEST_METHOD_LENGTH, false);
        if (!isHttpToken(method)) {
          fail(
            path,
            'request.method',
            `must be an HTTP method token such as GET or POST; got ${preview(method)}`,
          );
        }
        break;
      case 'path':
        requestPath = checkText(v, path, 'request.path', MAX_REQUEST_PATH_LENGTH, false);
        break;
      case 'status':
        if (
          typeof v !== 'number' ||
          !Number.isInteger(v) ||
          v < MIN_REQUEST_STATUS ||
          v > MAX_REQUEST_STATUS
        ) {
          if (v === null) omitNull(path, 'request.status');
          fail(
            path,
            'request.status',
            `must be an integer HTTP status, ${MIN_REQUEST_STATUS}–${MAX_REQUEST_STATUS}; got ${describe(v)}`,
          );
        }
        status = v;
        break;
      default:
        unknownField(path, 'request', key, REQUEST_FIELDS);
    }
  }
  if (
    id === undefined &&
    method === undefined &&
    requestPath === undefined &&
    status === undefined
  ) {
    return undefined;
  }
  const request: RequestInfo = {};
  if (id !== undefined) request.id = id;
  if (method !== undefined) request.method = method;
  if (requestPath !== undefined) request.path = requestPath;
  if (status !== undefined) request.status = status;
  return request;
}

// ---- details: free-form JSON, JCS hygiene enforced -------------------------------------

/** Returns undefined for `{}`: empty details mean the same as none (one spelling). */
function checkDetails(value: unknown, path: string): JsonObject | undefined {
  if (value === null) omitNull(path, 'details');
  if (!isPlainObject(value)) fail(path, 'details', `must be a JSON object; got ${describe(value)}`);
  const details = copyObject(value, `${path}.details`, 2);
  for (const _ in details) return details;
  return undefined;
}

/** `depth` is the nesting level of `source` itself, the record object being level 1. */
function copyObject(
  source: Record<string, unknown>,
  objectPath: string,
  depth: number,
): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = source[key];
    if (v === undefined) continue;
    if (
      key.length === 0 ||
      key.length > MAX_DETAILS_KEY_LENGTH ||
      key === '__proto__' ||
      !isCleanText(key)
    ) {
      keyError(key, objectPath);
    }
    if (isConstructorPrototype(key, v)) {
      invalid(
        `${memberPath(objectPath, key)}.prototype`,
        'a "constructor" object holding a "prototype" key is not allowed (it alters object prototypes in JavaScript consumers, the shape secure-json-parse refuses); rename it',
      );
    }
    // Safe: "__proto__", the one key whose assignment is special, was rejected above.
    out[key] = copyValue(v, objectPath, key, depth);
  }
  return out;
}

function copyArray(source: unknown[], arrayPath: string, depth: number): JsonValue[] {
  const out: JsonValue[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = copyValue(source[i], arrayPath, i, depth);
  return out;
}

function copyValue(v: unknown, parentPath: string, key: string | number, depth: number): JsonValue {
  switch (typeof v) {
    case 'string':
      if (isCleanText(v)) return v;
      return textContentError(v, memberPath(parentPath, key));
    case 'number':
      // -0 is a safe integer; store it as 0 (JCS prints both as 0 anyway).
      if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
      return invalid(
        memberPath(parentPath, key),
        `only integers within ±${Number.MAX_SAFE_INTEGER} are exact in JSON (RFC 8785, I-JSON); got ${Number.isFinite(v) ? v : 'a number that overflows to Infinity'}; send it as a string`,
      );
    case 'boolean':
      return v;
    case 'object': {
      if (v === null) return null;
      const childPath = memberPath(parentPath, key);
      if (depth + 1 > MAX_DEPTH) {
        invalid(
          childPath,
          `nested too deeply: a record may nest at most ${MAX_DEPTH} levels of objects and arrays; flatten "details"`,
        );
      }
      if (Array.isArray(v)) return copyArray(v, childPath, depth + 1);
      if (isPlainObject(v)) return copyObject(v, childPath, depth + 1);
      return invalid(childPath, `${describe(v)} is not a JSON value`);
    }
    default:
      return invalid(memberPath(parentPath, key), `${describe(v)} is not a JSON value`);
  }
}

function keyError(key: string, objectPath: string): never {
  const keyPath = memberPath(objectPath, key);
  if (key.length === 0) invalid(keyPath, 'empty keys are not allowed; name the field');
  if (key === '__proto__') {
    invalid(
      keyPath,
      'the key "__proto__" is not allowed (it alters object prototypes in JavaScript consumers); rename it',
    );
  }
  if (key.length > MAX_DETAILS_KEY_LENGTH) {
    invalid(keyPath, `keys are limited to ${MAX_DETAILS_KEY_LENGTH} characters; got ${key.length}`);
  }
  return textContentError(key, keyPath, 'key');
}

// ---- scalar fields -----------------------------------------------------------------------

function checkText(
  v: unknown,
  path: string,
  field: string,
  max: number,
  required: boolean,
): string {
  if (typeof v === 'string' && v.length !== 0 && v.length <= max && isCleanText(v)) return v;
  if (v === null && !required) omitNull(path, field);
  const rule = `${required ? 'required' : 'must be a'} string, 1–${max} characters`;
  if (typeof v !== 'string') fail(path, field, `${rule}; got ${describe(v)}`);
  if (v.length === 0 || v.length > max) {
    fail(
      path,
      field,
      `${rule}; got ${v.length === 0 ? 'an empty string' : `${v.length} characters`}`,
    );
  }
  return textContentError(v, fieldPath(path, field));
}

function checkEnum<T extends string>(
  v: unknown,
  path: string,
  field: string,
  allowed: readonly T[],
  required: boolean,
): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  if (v === null && !required) omitNull(path, field);
  return fail(path, field, `must be one of ${allowed.join(', ')}; got ${describe(v)}`);
}

function checkId(v: unknown, path: string): string {
  if (typeof v === 'string') {
    const id = normaliseId(v);
    if (id !== undefined) return id;
  }
  if (v === null) omitNull(path, 'id');
  return fail(
    path,
    'id',
    `must be a ULID (26 Crockford base32 characters, first one 0–7, e.g. "01ARZ3NDEKTSV4RRFFQ69G5FAV") or a UUID (8-4-4-4-12 hex digits, e.g. "123e4567-e89b-12d3-a456-426614174000"), or be omitted so the server assigns one; got ${describe(v)}`,
  );
}

function checkTime(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'time', `required: ${TIME_FORMAT}; got ${describe(v)}`);
  const time = normaliseTime(v);
  if (typeof time === 'string') return time;
  return fail(path, 'time', `${time.problem}; expected ${TIME_FORMAT}; got ${describe(v)}`);
}

function checkAction(v: unknown, path: string): string {
  if (typeof v === 'string' && isValidAction(v)) return v;
  return fail(path, 'action', `required: ${ACTION_FORMAT}; got ${describe(v)}`);
}

function checkIp(v: unknown, path: string): string {
  if (typeof v === 'string' && isIpAddress(v)) return v;
  if (v === null) omitNull(path, 'actor.ip');
  return fail(
    path,
    'actor.ip',
    `must be an IPv4 address ("10.0.0.7", no leading zeros) or an IPv6 address ("2001:db8::7", no zone id or brackets); got ${describe(v)}`,
  );
}

// ---- formats (exported for the query API and CLI, which normalise the same way) ---------

const TIME_FORMAT =
  'an RFC 3339 timestamp with a UTC offset, e.g. "2026-11-22T09:14:03.120Z" or "2026-11-22T10:14:03+01:00"';
const ACTION_FORMAT = `a dotted "<object>.<verb>" such as "customer.read": at least two segments of letters, digits, "_" or "-", at most ${MAX_ACTION_LENGTH} characters`;

// Crockford base32 alphabet as used by ULID: digits and letters except I, L, O, U.
const CROCKFORD = new Uint8Array(128);
for (const c of '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz')
  CROCKFORD[c.charCodeAt(0)] = 1;

/**
 * A ULID (normalised to upper case) or a UUID (normalised to lower case), or undefined.
 * ULIDs must start with 0–7 (larger values overflow 128 bits); Crockford's I/L/O aliases
 * are not accepted, so every id has exactly one spelling.
 */
export function normaliseId(text: string): string | undefined {
  if (text.length === 26) {
    const first = text.charCodeAt(0);
    if (first < 0x30 || first > 0x37) return undefined;
    let lower = false;
    for (let i = 1; i < 26; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || CROCKFORD[c] === 0) return undefined;
      if (c >= 0x61) lower = true;
    }
    return lower ? text.toUpperCase() : text;
  }
  if (text.length === 36) {
    for (let i = 0; i < 36; i++) {
      const c = text.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== 0x2d) return undefined;
      } else if (!isHexDigit(c)) return undefined;
    }
    return text.toLowerCase();
  }
  return undefined;
}

const MIN_TIME_MS = Date.UTC(MIN_TIME_YEAR, 0, 1);
const MAX_TIME_MS = Date.UTC(MAX_TIME_YEAR + 1, 0, 1);

/**
 * RFC 3339 §5.6 `date-time` with a mandatory offset ("Z" or ±HH:MM; "T"/"Z" in either case),
 * a real calendar date and a UTC instant in years 1970–9999, normalised to
 * `YYYY-MM-DDTHH:MM:SS.sssZ`. Fractional seconds may have any number of digits, but digits
 * beyond milliseconds are TRUNCATED (not rounded): JavaScript time has millisecond
 * resolution and truncation never moves an event into the next millisecond, minute or day.
 * Rejected: leap second 60 (JavaScript cannot represent it), hour 24, a space instead of
 * "T", a missing offset (a local time is ambiguous). "-00:00" is read as UTC.
 */
export function normaliseTime(text: string): string | { problem: string } {
  const n = text.length;
  if (n < 20 || n > MAX_TIME_LENGTH) return { problem: `must be 20–${MAX_TIME_LENGTH} characters` };
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const year = century * 100 + yearOfCentury;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const t = text.charCodeAt(10);
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    text.charCodeAt(4) !== 0x2d ||
    month < 0 ||
    text.charCodeAt(7) !== 0x2d ||
    day < 0 ||
    hour < 0 ||
    text.charCodeAt(13) !== 0x3a ||
    minute < 0 ||
    text.charCodeAt(16) !== 0x3a ||
    second < 0
  ) {
    return { problem: 'not in YYYY-MM-DDTHH:MM:SS form' };
  }
  if (t !== 0x54 && t !== 0x74) return { problem: 'date and time must be separated by "T"' };
  let i = 19;
  let millis = 0;
  let fractionDigits = 0;
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    const start = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fractionDigits = i - start;
    if (fractionDigits === 0) return { problem: 'a "." must be followed by fractional digits' };
    // Truncate to milliseconds (see above).
    for (let k = 0; k < 3; k++) {
      millis = millis * 10 + (k < fractionDigits ? text.charCodeAt(start + k) - 0x30 : 0);
    }
  }
  const z = text.charCodeAt(i);
  let offsetMinutes = 0;
  if (z === 0x5a || z === 0x7a) {
    i++;
  } else if (z === 0x2b || z === 0x2d) {
    const offsetHour = twoDigits(text, i + 1);
    const offsetMinute = twoDigits(text, i + 4);
    if (offsetHour < 0 || text.charCodeAt(i + 3) !== 0x3a || offsetMinute < 0) {
      return { problem: 'the offset must be "Z" or ±HH:MM' };
    }
    if (offsetHour > 23 || offsetMinute > 59) return { problem: 'the offset is out of range' };
    offsetMinutes = (z === 0x2d ? -1 : 1) * (offsetHour * 60 + offsetMinute);
    i += 6;
  } else {
    return { problem: 'a UTC offset is required: end with "Z" or ±HH:MM' };
  }
  if (i !== n) return { problem: 'unexpected characters after the offset' };
  if (month < 1 || month > 12) return { problem: `month ${month} does not exist` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { problem: `day ${day} does not exist in ${text.slice(0, 7)}` };
  }
  if (hour > 23) return { problem: 'hour must be 00–23 ("24:00" is not RFC 3339)' };
  if (minute > 59) return { problem: 'minute must be 00–59' };
  if (second > 59) return { problem: 'second must be 00–59 (leap seconds are not supported)' };
  // Years below 100 would be read by Date.UTC as 19xx; anything before 1969 is out anyway.
  if (year < MIN_TIME_YEAR - 1)
    return { problem: `year must be ${MIN_TIME_YEAR}–${MAX_TIME_YEAR}` };
  if (
    offsetMinutes === 0 &&
    z === 0x5a &&
    t === 0x54 &&
    fractionDigits === 3 &&
    year >= MIN_TIME_YEAR
  ) {
    return text; // already canonical
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  if (ms < MIN_TIME_MS || ms >= MAX_TIME_MS) {
    return { problem: `the UTC year must be ${MIN_TIME_YEAR}–${MAX_TIME_YEAR}` };
  }
  return new Date(ms).toISOString();
}

/** Dotted `<object>.<verb>`: ≥ 2 non-empty segments of [A-Za-z0-9_-], ≤ 128 characters. */
export function isValidAction(text: string): boolean {
  const n = text.length;
  if (n < 3 || n > MAX_ACTION_LENGTH) return false;
  let segment = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (segment === 0) return false;
      dots++;
      segment = 0;
    } else if (isDigit(c) || isLetter(c) || c === 0x5f || c === 0x2d) {
      segment++;
    } else {
      return false;
    }
  }
  return dots > 0 && segment > 0;
}

/** IPv4 dotted quad without leading zeros, or IPv6 without zone id or brackets. */
export function isIpAddress(text: string): boolean {
  if (text.length === 0 || text.length > MAX_IP_LENGTH) return false;
  return text.indexOf(':') === -1 ? isIPv4(text) : isIPv6(text);
}

function isIPv4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255) return false;
    } else if (c === 0x2e && digits > 0) {
      parts++;
      digits = 0;
      value = 0;
    } else {
      return false;
    }
  }
  return parts === 3 && digits > 0;
}

function isIPv6(text: string): boolean {
  // Restrict the alphabet first so the URL parser sees only address text (no "%zone", "]").
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isHexDigit(c) && c !== 0x3a && c !== 0x2e) return false;
  }
  try {
    new URL(`http://[${text}]/`); // WHATWG IPv6 parser: portable across Node and browsers
    return true;
  } catch {
    return false;
  }
}

// ---- helpers -------------------------------------------------------------------------------

/** Typed access to String.prototype.isWellFormed (Node ≥ 20; our TS lib is ES2023). */
interface WellFormedString {
  isWellFormed(): boolean;
}

/** No U+0000 (PostgreSQL text cannot hold it) and no lone surrogates (I-JSON, RFC 8785). */
export function isCleanText(text: string): boolean {
  return text.indexOf('\u0000') === -1 && (text as unknown as WellFormedString).isWellFormed();
}

function textContentError(text: string, path: string, what = 'string'): never {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    invalid(
      path,
      `${what} contains U+0000 (NUL) at character ${nul}, which cannot be stored; remove it`,
    );
  }
  let at = 0;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) at++;
      else break;
    } else if (c >= 0xdc00 && c <= 0xdfff) break;
  }
  return invalid(
    path,
    `${what} contains a lone UTF-16 surrogate at character ${at}, which is not valid Unicode; send well-formed text`,
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isHttpToken(text: string): boolean {
  // RFC 9110 §5.6.2 tchar
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c) && !isLetter(c) && "!#$%&'*+-.^_`|~".indexOf(text[i]) === -1) return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Two ASCII digits at `i` as a number, or -1 if they are not both digits. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - 0x30) * 10 + (b - 0x30) : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `$.a.b` for identifier-like keys, `$["a b"]` otherwise, `$[3]` for indexes. */
export function memberPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  let plain = key.length > 0;
  for (let i = 0; i < key.length && plain; i++) {
    const c = key.charCodeAt(i);
    plain = isLetter(c) || c === 0x5f || c === 0x24 || (i > 0 && isDigit(c));
  }
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function fieldPath(path: string, field: string): string {
  return field === '' ? path : `${path}.${field}`;
}

function invalid(path: string, message: string): never {
  throw new CoreError('INVALID_RECORD', `${path}: ${message}`, { path });
}

function fail(path: string, field: string, message: string): never {
  return invalid(fieldPath(path, field), message);
}

function omitNull(path: string, field: string): never {
  return fail(path, field, 'null is not allowed; omit the field instead');
}

function unknownField(
  path: string,
  parent: string,
  key: string,
  allowed: readonly string[],
): never {
  const suggestion = closest(key, allowed);
  return invalid(
    memberPath(fieldPath(path, parent), key),
    `unknown field${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}; allowed: ${allowed.join(', ')}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return v.length === 0 ? 'an empty string' : preview(v);
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `${v}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

function preview(text: string): string {
  return text.length > 64
    ? `${JSON.stringify(text.slice(0, 64))}… (${text.length} characters)`
    : JSON.stringify(text);
}
