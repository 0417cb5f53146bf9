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
    checkStructure(body, value, MAX_DEPTH, -1, 0);
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
  checkStructure(body, value, MAX_DEPTH + 1, -1, 0); // + 1: the array around the events
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
      checkStructure(text, value, MAX_DEPTH, k, line);
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

// ---- JCS hygiene on JSON.parse-valid text: duplicate keys and depth ------------------------
//
// JSON.parse keeps the last of duplicate keys silently, so duplicates must be found in the
// text. Fast path: count the key tokens in the text (one quote-skipping pass that also
// bounds the depth) and compare with the keys JSON.parse kept; each duplicate makes the
// parsed count one smaller. Only on a mismatch (or too much depth) does the exact scan run,
// to name the path. Neither recurses, so 100,000 nested brackets cost a loop, not a stack.

/**
 * Throws MALFORMED_JSON for a duplicate key and INVALID_RECORD for nesting deeper than
 * `maxDepth`. `value` is JSON.parse(text). `rootIndex` is -1 for the body root "$", else
 * the NDJSON event index k ("$[k]"); `line` > 0 names the NDJSON line in messages.
 */
function checkStructure(
  text: string,
  value: unknown,
  maxDepth: number,
  rootIndex: number,
  line: number,
): void {
  const tokens = countKeyTokens(text, maxDepth);
  if (tokens >= 0 && tokens === countParsedKeys(value)) return;
  findDuplicateOrDepth(text, maxDepth, rootIndex, line);
  // Unreachable: a count mismatch means a duplicate the exact scan names. Fail closed.
  const path = rootIndex < 0 ? '$' : `$[${rootIndex}]`;
  throw new CoreError('MALFORMED_JSON', `${path}: duplicate key`, { path });
}

/** Key tokens in valid JSON text (strings followed by ':'), or -1 if nested deeper than maxDepth. */
function countKeyTokens(text: string, maxDepth: number): number {
  let keys = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && text.charCodeAt(end - 1) === 0x5c && isEscaped(text, end)) {
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) return -1; // unreachable for valid JSON
      let j = end + 1;
      let next = text.charCodeAt(j);
      while (next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09)
        next = text.charCodeAt(++j);
      if (next === 0x3a) {
        keys++;
        i = j;
      } else {
        i = end;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return -1;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return keys;
}

/** Own keys of every object in a JSON.parse result (iterative; depth already bounded). */
function countParsedKeys(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      count += keys.length;
      for (let i = 0; i < keys.length; i++) {
        const x = (v as Record<string, unknown>)[keys[i]];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return count;
}

interface Frame {
  array: boolean;
  /** Current element (arrays) or last key read (objects), for the error path. */
  index: number;
  key: string;
  keys: Set<string>;
}

/**
 * The exact scan, run only when the fast path found something: a char-code loop over valid
 * JSON text (every unescaped '"' opens or closes a string; a string right after '{' or ','
 * in an object is a key) with a stack of open containers and each object's key Set. A key
 * with an escape is decoded with JSON.parse ("a" and "\u0061" are the same key). Throws at
 * the first duplicate or the first container deeper than `maxDepth`, naming its path.
 */
function findDuplicateOrDepth(
  text: string,
  maxDepth: number,
  rootIndex: number,
  line: number,
): void {
  const frames: Frame[] = [];
  const where = line > 0 ? `line ${line}: ` : '';
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return; // unreachable for valid JSON
      if (expectKey) {
        expectKey = false;
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const frame = frames[frames.length - 1];
        if (frame.keys.has(key)) {
          const path = memberPath(pathOf(frames, frames.length - 1, rootIndex), key);
          throw new CoreError(
            'MALFORMED_JSON',
            `${path}: ${where}duplicate key ${JSON.stringify(key)}; an object must not repeat a key (RFC 8785, I-JSON)`,
            { path },
          );
        }
        frame.keys.add(key);
        frame.key = key;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (frames.length === maxDepth) {
        const path = pathOf(frames, frames.length, rootIndex);
        throw new CoreError(
          'INVALID_RECORD',
          `${path}: ${where}nested too deeply: a record may nest at most ${MAX_DEPTH} levels of objects and arrays; flatten "details"`,
          { path },
        );
      }
      frames.push({ array: c === 0x5b, index: 0, key: '', keys: new Set() });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      frames.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      const frame = frames[frames.length - 1];
      if (frame.array) frame.index++;
      else expectKey = true;
    }
  }
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
    'TOO_MANY_RECORDS',
    `$: the body holds ${count}; at most ${MAX_RECORDS_PER_REQUEST} events are accepted per request; split the batch`,
    { path: '$' },
  );
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
