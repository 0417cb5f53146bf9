import { CoreError } from '../errors.js';
import { MAX_DEPTH, MAX_RECORDS_PER_REQUEST, type SubmittedRecord } from './types.js';
import {
  isPlainObject,
  memberPath,
  type ValidateOptions,
  validateSubmittedRecord,
} from './validate.js';

export type EventsBodyFormat = 'json' | 'ndjson';

/**
 * Splits an ingest body into its events, enforcing JCS hygiene that JSON.parse cannot see
 * (duplicate keys, RFC 8785 §3.1 / I-JSON) and the nesting and count limits, before any
 * field is validated.
 * - json: one object, or a non-empty array of objects. Paths: "$…" for a single object,
 *   "$[k]…" for array elements.
 * - ndjson: one object per line; blank lines (spaces, tabs, CR) are skipped, so a trailing
 *   newline and CRLF endings are fine. Paths: "$[k]…" with k counting events (not lines);
 *   messages name the 1-based line.
 * A leading byte order mark is ignored (RFC 8259 §8.1 allows it).
 */
export function parseEventsBody(text: string, format: EventsBodyFormat): unknown[] {
  return parseBody(text, format).records;
}

/** parseEventsBody, then validateSubmittedRecord on each event with its path. */
export function parseSubmittedRecords(
  text: string,
  format: EventsBodyFormat,
  options: ValidateOptions,
): SubmittedRecord[] {
  const { records, single } = parseBody(text, format);
  const out: SubmittedRecord[] = new Array(records.length);
  for (let k = 0; k < records.length; k++) {
    out[k] = validateSubmittedRecord(records[k], single ? '$' : `$[${k}]`, options);
  }
  return out;
}

function parseBody(
  text: string,
  format: EventsBodyFormat,
): { records: unknown[]; single: boolean } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'json') return parseJson(body);
  if (format === 'ndjson') return { records: parseNdjson(body), single: false };
  throw new CoreError('INVALID_ARGUMENT', `unknown body format ${JSON.stringify(format)}`);
}

function parseJson(body: string): { records: unknown[]; single: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw syntaxError(error, body, 'the body is not valid JSON', '$', 0);
  }
  if (isPlainObject(value)) {
    checkStructure(body, MAX_DEPTH, -1, 0);
    return { records: [value], single: true };
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new CoreError(
      'INVALID_RECORD',
      `$: the body must be one event object or a non-empty array of event objects; got ${kind(value)}`,
      { path: '$' },
    );
  }
  if (value.length > MAX_RECORDS_PER_REQUEST) throw tooMany(`${value.length} events`);
  checkStructure(body, MAX_DEPTH + 1, -1, 0); // + 1: the array around the events
  for (let k = 0; k < value.length; k++) {
    if (!isPlainObject(value[k])) {
      throw new CoreError(
        'INVALID_RECORD',
        `$[${k}]: an event must be a JSON object; got ${kind(value[k])}`,
        {
          path: `$[${k}]`,
        },
      );
    }
  }
  return { records: value, single: false };
}

function parseNdjson(body: string): unknown[] {
  const records: unknown[] = [];
  const n = body.length;
  let start = 0;
  let line = 0;
  while (start <= n) {
    let end = body.indexOf('\n', start);
    const next = end === -1 ? n + 1 : end + 1;
    if (end === -1) end = n;
    line++;
    if (end > start && body.charCodeAt(end - 1) === 0x0d) end--;
    if (!isBlank(body, start, end)) {
      const k = records.length;
      if (k === MAX_RECORDS_PER_REQUEST)
        throw tooMany(`more than ${k} events (event ${k + 1} is on line ${line})`);
      const text = body.slice(start, end);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw syntaxError(error, text, `line ${line}: not valid JSON`, `$[${k}]`, line);
      }
      if (!isPlainObject(value)) {
        throw new CoreError(
          'INVALID_RECORD',
          `$[${k}]: line ${line}: each line must be one event object; got ${kind(value)}`,
          { path: `$[${k}]` },
        );
      }
      checkStructure(text, MAX_DEPTH, k, line);
      records.push(value);
    }
    start = next;
  }
  if (records.length === 0) {
    throw new CoreError(
      'INVALID_RECORD',
      '$: the body holds no events; send one JSON object per line',
      {
        path: '$',
      },
    );
  }
  return records;
}

// ---- one pass over JSON.parse-valid text: duplicate keys and depth -------------------------

interface Frame {
  array: boolean;
  /** Current element (arrays) or the last key read (objects), for error paths. */
  index: number;
  key: string;
  /** Keys seen so far; a Set takes over for large objects. */
  keys: string[];
  set: Set<string> | undefined;
}

const SET_THRESHOLD = 16;

/**
 * A char-code loop with no recursion, so 100,000 nested brackets cost a loop, not a stack.
 * `text` must already be valid JSON (JSON.parse succeeded): then every '"' outside a string
 * opens one, and a string directly after '{' or ',' in an object is a key. Keys are decoded
 * with JSON.parse only when they contain an escape ("a" and "\u0061" are the same key).
 * `rootIndex` is -1 for the body root "$", else the NDJSON event index k ("$[k]").
 */
function checkStructure(text: string, maxDepth: number, rootIndex: number, line: number): void {
  const frames: Frame[] = [];
  let depth = 0;
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return; // unreachable for valid JSON
      if (expectKey) {
        expectKey = false;
        let key = text.slice(i + 1, end);
        if (key.indexOf('\\') !== -1) key = JSON.parse(text.slice(i, end + 1)) as string;
        const frame = frames[depth - 1];
        if (!addKey(frame, key)) {
          const path = memberPath(pathOf(frames, depth - 1, rootIndex), key);
          throw new CoreError(
            'MALFORMED_JSON',
            `${path}: ${line > 0 ? `line ${line}: ` : ''}duplicate key ${JSON.stringify(key)}; an object must not repeat a key (RFC 8785, I-JSON)`,
            { path },
          );
        }
        frame.key = key;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === maxDepth) {
        const path = pathOf(frames, depth, rootIndex);
        throw new CoreError(
          'INVALID_RECORD',
          `${path}: ${line > 0 ? `line ${line}: ` : ''}nested too deeply: a record may nest at most ${MAX_DEPTH} levels of objects and arrays; flatten "details"`,
          { path },
        );
      }
      let frame = frames[depth];
      if (frame === undefined) {
        frame = { array: false, index: 0, key: '', keys: [], set: undefined };
        frames[depth] = frame;
      }
      frame.array = c === 0x5b;
      frame.index = 0;
      frame.key = '';
      frame.keys.length = 0;
      frame.set = undefined;
      depth++;
      expectKey = !frame.array;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      expectKey = false;
    } else if (c === 0x2c) {
      const frame = frames[depth - 1];
      if (frame.array) frame.index++;
      else expectKey = true;
    }
  }
}

/** Records `key` in the frame; false if it was already there. */
function addKey(frame: Frame, key: string): boolean {
  if (frame.set !== undefined) {
    if (frame.set.has(key)) return false;
    frame.set.add(key);
    return true;
  }
  if (frame.keys.includes(key)) return false;
  frame.keys.push(key);
  if (frame.keys.length > SET_THRESHOLD) frame.set = new Set(frame.keys);
  return true;
}

/** JSON path of the value held by frames[count - 1]'s current child (the root if count = 0). */
function pathOf(frames: Frame[], count: number, rootIndex: number): string {
  let path = rootIndex < 0 ? '$' : `$[${rootIndex}]`;
  for (let d = 0; d < count; d++) {
    const frame = frames[d];
    path = frame.array ? `${path}[${frame.index}]` : memberPath(path, frame.key);
  }
  return path;
}

/** A '"' at `at` is escaped when an odd number of backslashes precede it. */
function isEscaped(text: string, at: number): boolean {
  let i = at - 1;
  while (text.charCodeAt(i) === 0x5c) i--;
  return (at - 1 - i) % 2 === 1;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

// ---- errors --------------------------------------------------------------------------------

function syntaxError(
  error: unknown,
  text: string,
  what: string,
  path: string,
  line: number,
): CoreError {
  if (!(error instanceof SyntaxError)) {
    // V8's JSON.parse is iterative; an engine that recurses may overflow on deep input.
    return new CoreError('MALFORMED_JSON', `${path}: ${what}: nested too deeply to parse`, {
      cause: error,
      path,
    });
  }
  let where = '';
  const position = positionIn(error.message);
  if (position >= 0 && !error.message.includes('(line')) {
    if (line > 0) {
      where = ` (column ${position + 1})`;
    } else {
      let lineNumber = 1;
      let lineStart = 0;
      for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
        lineNumber++;
        lineStart = i + 1;
      }
      where = ` (line ${lineNumber}, column ${position - lineStart + 1})`;
    }
  }
  return new CoreError('MALFORMED_JSON', `${path}: ${what}: ${error.message}${where}`, {
    cause: error,
    path,
  });
}

/** The "at position N" of a V8 JSON.parse message, or -1. */
function positionIn(message: string): number {
  const at = message.lastIndexOf('at position ');
  if (at < 0) return -1;
  let position = 0;
  let i = at + 12;
  for (; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    position = position * 10 + (c - 0x30);
  }
  return i > at + 12 ? position : -1;
}

function tooMany(count: string): CoreError {
  return new CoreError(
    'INVALID_ARGUMENT',
    `$: the body holds ${count}; at most ${MAX_RECORDS_PER_REQUEST} events are accepted per request; split the batch`,
    { path: '$' },
  );
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
