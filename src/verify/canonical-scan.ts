import { MAX_CANONICAL_RECORD_BYTES } from '../core/record/types.js';

/** The record fields the indexed columns are derived from, as the record states them. */
export interface ColumnFields {
  id: string;
  source: string;
  actorId: string;
  action: string;
  outcome: string;
  time: string;
  receivedAt: string;
  targetType: string | null;
  targetId: string | null;
}

/**
 * One pass over a stored record's text that answers, without JSON.parse or re-serialising:
 * "is this text exactly canonicalize(JSON.parse(text)), an object whose column fields are
 * strings?", and if so returns those fields. It says yes only where the answer is certain:
 * - no byte outside strings but the JSON structure itself: no whitespace (RFC 8785 §3.2.1);
 * - every object's keys strictly increasing in UTF-16 code units (§3.2.3), so no duplicates;
 * - strings hold only what JSON.stringify leaves raw (§3.2.2.2): any code unit ≥ 0x20 but
 *   '"', '\' and surrogates, plus the escapes it emits for '"', '\', \b \f \n \r \t;
 * - numbers are integers written as Number::toString writes them (§3.2.2.3): 0, or an
 *   optional '-' and at most 15 digits without a leading 0 (below 2^53, so exact);
 * - literals true, false, null; at most MAX_DEPTH nested containers; short enough that
 *   its UTF-8 form is certainly under the record cap.
 * Anything else (\u escapes, surrogates, other numbers, a column field that is not a
 * string, deep or long text) returns undefined: the caller then decides the slow way,
 * by parsing and re-canonicalising. So a text this accepts is one the slow way accepts,
 * with the same fields.
 */
export function scanCanonicalRecord(text: string): ColumnFields | undefined {
  if (text.length * 3 > MAX_CANONICAL_RECORD_BYTES) return undefined;
  const scan = new Scan(text, !ESCAPE_OR_SURROGATE.test(text));
  return scan.record();
}

/**
 * A backslash, control character or surrogate anywhere. Without one (nearly every record),
 * a string ends at the next '"' and needs no look at the characters in between.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPE_OR_SURROGATE = /[\u0000-\u001f\\\ud800-\udfff]/;

const MAX_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Safe-integer digits certain to be below 2^53 (9,007,199,254,740,992 has 16). */
const MAX_INTEGER_DIGITS = 15;

/** Thrown inside the scan when the text is not certainly canonical; never escapes it. */
const UNSURE = Symbol('unsure');

/** The top-level and nested keys whose values feed columns. */
type Slot =
  | 'id'
  | 'source'
  | 'action'
  | 'outcome'
  | 'time'
  | 'received_at'
  | 'actor'
  | 'actor.id'
  | 'target'
  | 'target.id'
  | 'target.type';

class Scan {
  private at = 0;
  private readonly found = new Map<Slot, string>();

  constructor(
    private readonly text: string,
    /** The text holds no escape, control character or surrogate (ESCAPE_OR_SURROGATE). */
    private readonly plain: boolean,
  ) {}

  record(): ColumnFields | undefined {
    try {
      if (this.text.charCodeAt(0) !== OPEN_OBJECT) return undefined;
      this.object(1, '');
      if (this.at !== this.text.length) return undefined;
    } catch (error) {
      if (error === UNSURE) return undefined;
      throw error;
    }
    const f = this.found;
    const id = f.get('id');
    const source = f.get('source');
    const actorId = f.get('actor.id');
    const action = f.get('action');
    const outcome = f.get('outcome');
    const time = f.get('time');
    const receivedAt = f.get('received_at');
    if (
      id === undefined ||
      source === undefined ||
      actorId === undefined ||
      action === undefined ||
      outcome === undefined ||
      time === undefined ||
      receivedAt === undefined
    ) {
      return undefined;
    }
    // A target, if present, was an object (checked as its members were scanned).
    const hasTarget = f.has('target');
    if (hasTarget && !f.has('target.id')) return undefined;
    return {
      id,
      source,
      actorId,
      action,
      outcome,
      time,
      receivedAt,
      targetType: hasTarget ? (f.get('target.type') ?? null) : null,
      targetId: hasTarget ? f.get('target.id')! : null,
    };
  }

  /** An object starting at `at`; `path` is '' at the top, 'actor' or 'target' one level down. */
  private object(depth: number, path: string): void {
    if (depth > MAX_DEPTH) throw UNSURE;
    const text = this.text;
    this.at++; // {
    if (text.charCodeAt(this.at) === CLOSE_OBJECT) {
      this.at++;
      return;
    }
    let previous: string | undefined;
    for (;;) {
      const key = this.plainString();
      if (previous !== undefined && !(previous < key)) throw UNSURE;
      previous = key;
      if (text.charCodeAt(this.at) !== COLON) throw UNSURE;
      this.at++;
      const slot = slotOf(path, key);
      if (slot === undefined) {
        this.value(depth);
      } else if (slot === 'actor' || slot === 'target') {
        if (text.charCodeAt(this.at) !== OPEN_OBJECT) throw UNSURE;
        this.found.set(slot, '');
        this.object(depth + 1, slot);
      } else {
        if (text.charCodeAt(this.at) !== QUOTE) throw UNSURE;
        this.found.set(slot, this.string());
      }
      const c = text.charCodeAt(this.at++);
      if (c === CLOSE_OBJECT) return;
      if (c !== COMMA) throw UNSURE;
    }
  }

  private array(depth: number): void {
    if (depth > MAX_DEPTH) throw UNSURE;
    this.at++; // [
    if (this.text.charCodeAt(this.at) === CLOSE_ARRAY) {
      this.at++;
      return;
    }
    for (;;) {
      this.value(depth);
      const c = this.text.charCodeAt(this.at++);
      if (c === CLOSE_ARRAY) return;
      if (c !== COMMA) throw UNSURE;
    }
  }

  private value(depth: number): void {
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) this.string();
    else if (c === OPEN_OBJECT) this.object(depth + 1, '-');
    else if (c === OPEN_ARRAY) this.array(depth + 1);
    else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) this.integer();
    else if (this.literal('true') || this.literal('false') || this.literal('null')) return;
    else throw UNSURE;
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.at)) return false;
    this.at += word.length;
    return true;
  }

  private integer(): void {
    const text = this.text;
    if (text.charCodeAt(this.at) === MINUS) this.at++;
    const start = this.at;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c < DIGIT_0 || c > DIGIT_9) break;
      this.at++;
    }
    const digits = this.at - start;
    if (digits === 0 || digits > MAX_INTEGER_DIGITS) throw UNSURE;
    // "0" alone; never "-0" (Number::toString gives "0"), never a leading zero.
    if (text.charCodeAt(start) === DIGIT_0 && (digits > 1 || text.charCodeAt(start - 1) === MINUS))
      throw UNSURE;
  }

  /** A string with no escape at all (keys): its text is its value. */
  private plainString(): string {
    const text = this.text;
    if (text.charCodeAt(this.at) !== QUOTE) throw UNSURE;
    const start = ++this.at;
    if (this.plain) {
      const end = text.indexOf('"', start);
      if (end < 0) throw UNSURE;
      this.at = end + 1;
      return text.slice(start, end);
    }
    for (;;) {
      const c = text.charCodeAt(this.at);
      if (c === QUOTE) break;
      // NaN (past the end), control characters, escapes, surrogates: not certain.
      if (!(c >= 0x20) || c === BACKSLASH || (c >= 0xd800 && c <= 0xdfff)) throw UNSURE;
      this.at++;
    }
    this.at++;
    return text.slice(start, this.at - 1);
  }

  /** A string value, decoded; only the escapes JSON.stringify itself writes are accepted. */
  private string(): string {
    if (this.plain) return this.plainString();
    const text = this.text;
    const start = ++this.at;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(this.at);
      if (c === QUOTE) break;
      if (!(c >= 0x20) || (c >= 0xd800 && c <= 0xdfff)) throw UNSURE;
      if (c === BACKSLASH) {
        const e = text.charCodeAt(this.at + 1);
        // \" \\ \b \f \n \r \t: what JSON.stringify writes for those characters.
        if (
          e !== QUOTE &&
          e !== BACKSLASH &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        )
          throw UNSURE;
        escaped = true;
        this.at++;
      }
      this.at++;
    }
    this.at++;
    const raw = text.slice(start - 1, this.at);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }
}

function slotOf(path: string, key: string): Slot | undefined {
  if (path === '') {
    switch (key) {
      case 'id':
      case 'source':
      case 'action':
      case 'outcome':
      case 'time':
      case 'received_at':
      case 'actor':
      case 'target':
        return key;
      default:
        return undefined;
    }
  }
  if (path === 'actor') return key === 'id' ? 'actor.id' : undefined;
  if (path === 'target') {
    if (key === 'id') return 'target.id';
    if (key === 'type') return 'target.type';
  }
  return undefined;
}
