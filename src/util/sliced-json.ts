import { TimeSlice } from './time-slice.js';

/** How long one slice of serialising may hold the event loop. */
export const DEFAULT_SLICE_MS = 4;
/**
 * Arrays up to this many members are written by one native JSON.stringify (fast: a
 * window's item, a group's tuple); longer ones, and every object, are walked member by
 * member, so a slice ends at the latest after one short array's subtree.
 */
const NATIVE_UP_TO = 16;

interface Frame {
  /** The array, or the object's values in key order. */
  values: readonly unknown[];
  /** The object's keys; undefined for an array. */
  keys?: readonly string[];
  next: number;
  /** Whether anything was written yet (objects skip undefined values, so `next` cannot tell). */
  wrote: boolean;
}

/**
 * `JSON.stringify(value)` for plain data, written in slices of at most about `sliceMs`
 * with the event loop running in between. A rule engine's window state is megabytes of
 * small arrays; one synchronous stringify of it held every request for 20–90 ms.
 *
 * The caller must not change `value` until the promise settles: nothing here copies it.
 * Output equals JSON.stringify's for what JSON can hold (objects, arrays, strings, finite
 * numbers, booleans, null; `toJSON` is honoured, undefined and functions are left out of
 * objects and become null in arrays). No replacer, no indentation; a BigInt throws, as
 * there; a cycle is not detected and must not be passed.
 */
export async function stringifyInSlices(
  value: unknown,
  sliceMs: number = DEFAULT_SLICE_MS,
): Promise<string> {
  const out = new PieceBuffer();
  const stack: Frame[] = [];
  const slice = new TimeSlice(sliceMs);

  /** Writes `v` (already through toJSON, not omitted): a leaf, or a container's opening. */
  const write = (v: unknown): void => {
    if (v === null || typeof v !== 'object') out.push(leafText(v));
    else if (Array.isArray(v) && v.length <= NATIVE_UP_TO) out.push(JSON.stringify(v));
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push({ values: v, next: 0, wrote: false });
    } else {
      const keys = Object.keys(v);
      const record = v as Record<string, unknown>;
      out.push('{');
      stack.push({ values: keys.map((k) => record[k]), keys, next: 0, wrote: false });
    }
  };

  const top = toJsonValue(value, '');
  if (omitted(top)) throw new TypeError('stringifyInSlices: the value has no JSON form');
  write(top);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.values.length) {
      stack.pop();
      out.push(frame.keys ? '}' : ']');
      continue;
    }
    const i = frame.next++;
    const key = frame.keys ? frame.keys[i]! : String(i);
    const v = toJsonValue(frame.values[i], key);
    if (frame.keys) {
      if (omitted(v)) continue; // as JSON.stringify: the member is left out
      out.push(`${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`);
      write(v);
    } else {
      if (frame.wrote) out.push(',');
      if (omitted(v)) out.push('null');
      else write(v);
    }
    frame.wrote = true;
    if (slice.spent()) await slice.next();
  }
  return out.text();
}

/** Pieces gathered into this many UTF-16 units before they are joined into one chunk. */
const CHUNK_UNITS = 256 * 1024;

/**
 * The output so far. Small pieces are joined into large chunks as they come: kept as
 * hundreds of thousands of live pieces, they survived every minor GC (each copy 7–14 ms on
 * a 4.5 MB state), which stalled the loop as much as the stringify it replaces; a large
 * chunk is allocated once, outside the young generation.
 */
class PieceBuffer {
  private readonly chunks: string[] = [];
  private pieces: string[] = [];
  private units = 0;

  push(piece: string): void {
    this.pieces.push(piece);
    this.units += piece.length;
    if (this.units >= CHUNK_UNITS) this.flush();
  }

  text(): string {
    this.flush();
    return this.chunks.join('');
  }

  private flush(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.join(''));
    this.pieces = [];
    this.units = 0;
  }
}

function toJsonValue(v: unknown, key: string): unknown {
  if (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  return v;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** A non-container's JSON text (never called with what `omitted` names). */
function leafText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return 'null'; // only null reaches here
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      // undefined, a function or a symbol: `omitted` keeps them from reaching here.
      throw new TypeError(`stringifyInSlices: no JSON text for a ${typeof v}`);
  }
}
