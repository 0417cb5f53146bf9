import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type CoreErrorCode, isCoreError } from '../../src/core/errors.js';
import {
  MAX_DEPTH,
  MAX_RECORDS_PER_REQUEST,
  parseEventsBody,
  parseSubmittedRecords,
  validateSubmittedRecord,
} from '../../src/core/record/index.js';
import { memberPath } from '../../src/core/record/validate.js';
import { mulberry32 } from '../support/prng.js';

const OPTIONS = { boundSource: 'billing-api' };
const EVENT = {
  time: '2026-11-22T09:14:03.120Z',
  actor: { id: 'u-1' },
  action: 'customer.read',
  outcome: 'success',
};
const LINE = JSON.stringify(EVENT);

function throwsCore(fn: () => unknown, code: CoreErrorCode, path: string): CoreErrorLike {
  let caught: CoreErrorLike | undefined;
  assert.throws(fn, (error: unknown) => {
    assert.ok(isCoreError(error), `expected a CoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.path, path);
    caught = error;
    return true;
  });
  return caught as CoreErrorLike;
}
type CoreErrorLike = { code: string; path: string | undefined; message: string };

/** `levels` nested objects: {"a":{"a":…{}…}} (the outermost counts as level 1). */
function nestedObjects(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

describe('parseEventsBody: json', () => {
  it('one object → [object]', () => {
    assert.deepEqual(parseEventsBody(LINE, 'json'), [EVENT]);
  });

  it('an array of objects → its elements', () => {
    assert.deepEqual(parseEventsBody(`[${LINE},${LINE}]`, 'json'), [EVENT, EVENT]);
  });

  it('tolerates whitespace and a leading byte order mark', () => {
    assert.deepEqual(parseEventsBody(`\ufeff \n[ ${LINE} ]\r\n`, 'json'), [EVENT]);
  });

  const SHAPES: [string, string, CoreErrorCode, string][] = [
    ['empty array', '[]', 'INVALID_RECORD', '$'],
    ['number', '42', 'INVALID_RECORD', '$'],
    ['string', '"event"', 'INVALID_RECORD', '$'],
    ['null', 'null', 'INVALID_RECORD', '$'],
    ['true', 'true', 'INVALID_RECORD', '$'],
    ['array with a number', `[${LINE},1]`, 'INVALID_RECORD', '$[1]'],
    ['array with null', `[null,${LINE}]`, 'INVALID_RECORD', '$[0]'],
    ['array of arrays', `[[${LINE}]]`, 'INVALID_RECORD', '$[0]'],
    ['empty body', '', 'MALFORMED_JSON', '$'],
    ['whitespace body', '  \n', 'MALFORMED_JSON', '$'],
    ['truncated', '{"time":"2026', 'MALFORMED_JSON', '$'],
    ['trailing comma', '{"a":1,}', 'MALFORMED_JSON', '$'],
    ['single quotes', "{'a':1}", 'MALFORMED_JSON', '$'],
    ['NaN', '{"a":NaN}', 'MALFORMED_JSON', '$'],
    ['two objects (NDJSON sent as JSON)', `${LINE}\n${LINE}`, 'MALFORMED_JSON', '$'],
    ['raw control character in a string', '{"a":"x\ty"}', 'MALFORMED_JSON', '$'],
    ['comment', '{"a":1 /* c */}', 'MALFORMED_JSON', '$'],
    ['lone BOM', '\ufeff', 'MALFORMED_JSON', '$'],
  ];
  for (const [name, text, code, path] of SHAPES) {
    it(`rejects ${name} (${code} at ${path})`, () => {
      throwsCore(() => parseEventsBody(text, 'json'), code, path);
    });
  }

  it('reports where a syntax error is', () => {
    const error = throwsCore(
      () => parseEventsBody('{\n"a": 1,\n"b" 2}', 'json'),
      'MALFORMED_JSON',
      '$',
    );
    assert.ok(error.message.length > 0);
  });
});

describe('parseEventsBody: duplicate keys (checked on the raw text)', () => {
  const DUPLICATES: [string, string, string][] = [
    ['top level', '{"a":1,"a":2}', '$.a'],
    ['same value', '{"a":1,"b":0,"a":1}', '$.a'],
    ['escaped spelling', '{"a":1,"\\u0061":2}', '$.a'],
    ['both escaped', '{"\\u0061":1,"\\u0061":2}', '$.a'],
    ['escape after plain keys (switch to a Set)', '{"ab":1,"x":2,"\\u0061b":3}', '$.ab'],
    ['plain key after escaped ones', '{"a\\u0062":1,"ab\\u0020":2,"ab":3}', '$.ab'],
    ['nested object', '{"x":{"b":1,"b":2}}', '$.x.b'],
    ['inside an array', '{"d":[{"k":1},{"k":1,"k":2}]}', '$.d[1].k'],
    ['deep in arrays', '{"d":[[],[0,[{"k":1,"k":2}]]]}', '$.d[1][1][0].k'],
    ['after nested containers', '{"a":{"x":[1,{"y":2}]},"b":1,"a":3}', '$.a'],
    ['odd key', '{"a b":1,"a b":2}', '$["a b"]'],
    ['empty key', '{"":1,"":2}', '$[""]'],
    ['escaped quote in key', '{"a\\"b":1,"a\\"b":2}', '$["a\\"b"]'],
    ['escaped backslash in key', '{"a\\\\":1,"a\\\\":2}', '$["a\\\\"]'],
    ['after a string value with \\"', '{"v":"x\\"y","v":2}', '$.v'],
    ['after a string value ending in \\\\', '{"v":"\\\\","w":1,"w":2}', '$.w'],
    ['astral key, raw and escaped', '{"😀":1,"\\ud83d\\ude00":2}', '$["😀"]'],
    ['U+2028 raw and escaped', '{"\u2028":1,"\\u2028":2}', '$["\u2028"]'],
    ['keys that differ only in case are distinct, then a repeat', '{"a":1,"A":2,"A":3}', '$.A'],
    ['__proto__ twice', '{"__proto__":1,"__proto__":2}', '$.__proto__'],
  ];
  for (const [name, text, path] of DUPLICATES) {
    it(`finds a duplicate: ${name} → ${path}`, () => {
      throwsCore(() => parseEventsBody(text, 'json'), 'MALFORMED_JSON', path);
    });
  }

  it('finds a duplicate in a large object (past the span fast path)', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    throwsCore(
      () => parseEventsBody(`{${keys.join(',')},"k7":0}`, 'json'),
      'MALFORMED_JSON',
      '$.k7',
    );
    throwsCore(
      () => parseEventsBody(`{${keys.join(',')},"k39":0}`, 'json'),
      'MALFORMED_JSON',
      '$.k39',
    );
  });

  it('finds many same-length keys are distinct (hash collisions are compared)', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `"${String(i).padStart(3, '0')}":1`);
    assert.equal(parseEventsBody(`{${keys.join(',')}}`, 'json').length, 1);
    for (const count of [5, 15, 16, 17, 300]) {
      const body = `{${keys.slice(0, count).join(',')},"004":2}`;
      throwsCore(() => parseEventsBody(body, 'json'), 'MALFORMED_JSON', '$["004"]');
    }
  });

  it('paths in an array body and in NDJSON name the event', () => {
    throwsCore(
      () => parseEventsBody('[{"a":1},{"a":1,"a":2}]', 'json'),
      'MALFORMED_JSON',
      '$[1].a',
    );
    throwsCore(
      () => parseEventsBody('{"a":1}\n\n{"a":1,"a":2}\n', 'ndjson'),
      'MALFORMED_JSON',
      '$[1].a',
    );
  });

  const DISTINCT = [
    '{"a":{"a":{"a":1}}}', // same key at different levels
    '{"x":{"k":1},"y":{"k":1}}',
    '{"a":"\\"a\\":1","b":"a"}', // key-like text inside string values
    '{"a\\u0063":1,"ab\\u0020":2,"ab":3}',
    '{"ab":1,"ba":2,"aa":3,"bb":4}', // same length and letters
    '{"a":[1,"a",{"b":"a"}],"b":{"a":"b"}}',
  ];
  for (const text of DISTINCT) {
    it(`accepts distinct keys: ${text}`, () =>
      assert.equal(parseEventsBody(text, 'json').length, 1));
  }

  it('accepts the same key in sibling objects', () => {
    assert.equal(parseEventsBody('[{"a":1},{"a":2}]', 'json').length, 2);
    assert.equal(parseEventsBody('{"a":1}\n{"a":2}', 'ndjson').length, 2);
  });
});

describe('parseEventsBody: nesting depth (no recursion)', () => {
  it('accepts MAX_DEPTH levels in an object body, in array elements and on NDJSON lines', () => {
    const deep = nestedObjects(MAX_DEPTH);
    assert.equal(parseEventsBody(deep, 'json').length, 1);
    assert.equal(parseEventsBody(`[${deep},${deep}]`, 'json').length, 2);
    assert.equal(parseEventsBody(`${deep}\n${deep}`, 'ndjson').length, 2);
  });

  it('rejects MAX_DEPTH + 1 levels, naming the container that is too deep', () => {
    const deep = nestedObjects(MAX_DEPTH + 1);
    const inner = '.a'.repeat(MAX_DEPTH);
    throwsCore(() => parseEventsBody(deep, 'json'), 'INVALID_RECORD', `$${inner}`);
    throwsCore(() => parseEventsBody(`[{},${deep}]`, 'json'), 'INVALID_RECORD', `$[1]${inner}`);
    throwsCore(() => parseEventsBody(`{}\n${deep}`, 'ndjson'), 'INVALID_RECORD', `$[1]${inner}`);
  });

  it('gives the same path as the validator for a record nested too deeply', () => {
    let details = '{}';
    for (let level = 3; level <= MAX_DEPTH + 1; level++) details = `{"d":${details}}`;
    const body = `{"time":"2026-11-22T09:14:03.120Z","details":${details}}`;
    let fromScan: string | undefined;
    let fromValidator: string | undefined;
    try {
      parseEventsBody(body, 'json');
    } catch (e) {
      fromScan = isCoreError(e) ? e.path : undefined;
    }
    try {
      validateSubmittedRecord(JSON.parse(body), '$', OPTIONS);
    } catch (e) {
      fromValidator = isCoreError(e) ? e.path : undefined;
    }
    assert.equal(fromScan, `$.details${'.d'.repeat(MAX_DEPTH - 1)}`);
    assert.equal(fromScan, fromValidator);
  });

  it('rejects 100,000 nested arrays without overflowing the stack', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    throwsCore(
      () => parseEventsBody(text, 'json'),
      'INVALID_RECORD',
      `$${'[0]'.repeat(MAX_DEPTH + 1)}`,
    );
    // An NDJSON line must be an object: rejected before the depth scan.
    throwsCore(() => parseEventsBody(text, 'ndjson'), 'INVALID_RECORD', '$[0]');
  });

  it('rejects 100,000 nested objects without overflowing the stack', () => {
    const n = 100_000;
    const text = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    throwsCore(() => parseEventsBody(text, 'json'), 'INVALID_RECORD', `$${'.a'.repeat(MAX_DEPTH)}`);
    throwsCore(
      () => parseEventsBody(`{}\n${text}`, 'ndjson'),
      'INVALID_RECORD',
      `$[1]${'.a'.repeat(MAX_DEPTH)}`,
    );
  });

  it('rejects 100,000 unbalanced "[" as malformed', () => {
    throwsCore(() => parseEventsBody('['.repeat(100_000), 'json'), 'MALFORMED_JSON', '$');
    throwsCore(() => parseEventsBody('['.repeat(100_000), 'ndjson'), 'MALFORMED_JSON', '$[0]');
  });
});

describe('parseEventsBody: record count', () => {
  it(`accepts ${MAX_RECORDS_PER_REQUEST} events and rejects one more`, () => {
    const events = Array.from({ length: MAX_RECORDS_PER_REQUEST }, () => '{}');
    assert.equal(parseEventsBody(`[${events.join(',')}]`, 'json').length, MAX_RECORDS_PER_REQUEST);
    assert.equal(parseEventsBody(events.join('\n'), 'ndjson').length, MAX_RECORDS_PER_REQUEST);
    events.push('{}');
    throwsCore(() => parseEventsBody(`[${events.join(',')}]`, 'json'), 'TOO_MANY_RECORDS', '$');
    throwsCore(() => parseEventsBody(events.join('\n'), 'ndjson'), 'TOO_MANY_RECORDS', '$');
  });

  it('does not count blank NDJSON lines', () => {
    const events = Array.from({ length: MAX_RECORDS_PER_REQUEST }, () => '{}\n');
    assert.equal(parseEventsBody(events.join('\n'), 'ndjson').length, MAX_RECORDS_PER_REQUEST);
  });
});

describe('parseEventsBody: ndjson', () => {
  const ACCEPTED: [string, string, number][] = [
    ['one line', LINE, 1],
    ['trailing newline', `${LINE}\n`, 1],
    ['two lines', `${LINE}\n${LINE}`, 2],
    ['CRLF endings', `${LINE}\r\n${LINE}\r\n`, 2],
    ['blank and whitespace-only lines', `\n${LINE}\n\n  \t\n\r\n${LINE}\n\n`, 2],
    ['leading BOM', `\ufeff${LINE}\n`, 1],
    ['indented line', `  ${LINE}  \n`, 1],
  ];
  for (const [name, text, count] of ACCEPTED) {
    it(`accepts ${name}`, () => {
      const records = parseEventsBody(text, 'ndjson');
      assert.equal(records.length, count);
      for (const record of records) assert.deepEqual(record, EVENT);
    });
  }

  const LINES: [string, string, string, number][] = [
    ['a bad first line', `{"a":\n${LINE}`, '$[0]', 1],
    ['a bad third line', `${LINE}\n${LINE}\n{"time":\n`, '$[2]', 3],
    [
      'a bad line after blank lines (k counts events, the line counts lines)',
      `\n\n${LINE}\r\n\r\n{oops}\r\n`,
      '$[1]',
      5,
    ],
    ['a pretty-printed object', '{\n"a": 1\n}', '$[0]', 1],
    ['a trailing comma', `${LINE},\n`, '$[0]', 1],
  ];
  for (const [name, text, path, line] of LINES) {
    it(`rejects ${name} (MALFORMED_JSON at ${path}, line ${line})`, () => {
      const error = throwsCore(() => parseEventsBody(text, 'ndjson'), 'MALFORMED_JSON', path);
      // The 1-based line number is part of the contract for NDJSON.
      assert.match(error.message, new RegExp(`\\bline ${line}\\b`));
    });
  }

  it('rejects a line that is not an object (INVALID_RECORD at $[k])', () => {
    throwsCore(() => parseEventsBody(`${LINE}\n[${LINE}]\n`, 'ndjson'), 'INVALID_RECORD', '$[1]');
    throwsCore(() => parseEventsBody(`${LINE}\n42\n`, 'ndjson'), 'INVALID_RECORD', '$[1]');
    throwsCore(() => parseEventsBody('null', 'ndjson'), 'INVALID_RECORD', '$[0]');
  });

  it('rejects a body without events', () => {
    for (const text of ['', '\n', '\r\n\r\n', '  \n\t\n']) {
      throwsCore(() => parseEventsBody(text, 'ndjson'), 'INVALID_RECORD', '$');
    }
  });

  it('rejects a duplicate key and names its line', () => {
    const error = throwsCore(
      () => parseEventsBody(`${LINE}\n\n{"a":{"b":1,"b":1}}`, 'ndjson'),
      'MALFORMED_JSON',
      '$[1].a.b',
    );
    assert.match(error.message, /\bline 3\b/);
  });
});

describe('parseSubmittedRecords: parse + validate with the right paths', () => {
  const bad = JSON.stringify({ ...EVENT, actor: { id: '' } });

  it('validates and normalises every event', () => {
    const events = parseSubmittedRecords(`[${LINE},${LINE}]`, 'json', OPTIONS);
    assert.deepEqual(events, [EVENT, EVENT]);
  });

  it('uses "$" for a single-object body and "$[k]" otherwise', () => {
    throwsCore(() => parseSubmittedRecords(bad, 'json', OPTIONS), 'INVALID_RECORD', '$.actor.id');
    throwsCore(
      () => parseSubmittedRecords(`[${bad}]`, 'json', OPTIONS),
      'INVALID_RECORD',
      '$[0].actor.id',
    );
    throwsCore(
      () => parseSubmittedRecords(`[${LINE},${bad}]`, 'json', OPTIONS),
      'INVALID_RECORD',
      '$[1].actor.id',
    );
    throwsCore(
      () => parseSubmittedRecords(`${LINE}\n\n${bad}\n`, 'ndjson', OPTIONS),
      'INVALID_RECORD',
      '$[1].actor.id',
    );
  });

  const HYGIENE: [string, string, string][] = [
    ['escaped lone high surrogate', '{"reason":"\\ud800"}', '$.reason'],
    ['escaped lone low surrogate in details', '{"details":{"a":["\\udc00"]}}', '$.details.a[0]'],
    ['raw lone surrogate', '{"reason":"\ud800"}', '$.reason'],
    [
      'escaped lone surrogate in a details key',
      '{"details":{"\\udbff":1}}',
      '$.details["\\udbff"]',
    ],
    ['escaped NUL', '{"actor":{"id":"u\\u0000"}}', '$.actor.id'],
    ['escaped NUL in a details key', '{"details":{"\\u0000":1}}', '$.details["\\u0000"]'],
    ['1e400', '{"details":{"n":1e400}}', '$.details.n'],
    ['-1e400', '{"details":{"n":-1e400}}', '$.details.n'],
    ['a float', '{"details":{"n":0.5}}', '$.details.n'],
    ['an integer beyond 2^53', '{"details":{"n":9007199254740993}}', '$.details.n'],
    ['__proto__ in details', '{"details":{"__proto__":{"admin":true}}}', '$.details.__proto__'],
    ['__proto__ at the top', '{"__proto__":{"admin":true}}', '$.__proto__'],
    ['__proto__ in actor', '{"actor":{"id":"u","__proto__":{}}}', '$.actor.__proto__'],
  ];
  for (const [name, extra, path] of HYGIENE) {
    it(`rejects ${name} at ${path}`, () => {
      const body = `{"time":"2026-11-22T09:14:03Z","action":"a.b","outcome":"success","actor":{"id":"u"},${extra.slice(1)}`;
      const fixed = body.replace('"actor":{"id":"u"},"actor"', '"actor"');
      throwsCore(() => parseSubmittedRecords(fixed, 'json', OPTIONS), 'INVALID_RECORD', path);
      assert.equal(({} as Record<string, unknown>).admin, undefined);
    });
  }

  it('accepts -0, 1.0 and 1e2 in details (JSON numbers that are integers)', () => {
    const body = `{"time":"2026-11-22T09:14:03Z","action":"a.b","outcome":"success","actor":{"id":"u"},"details":{"a":-0,"b":1.0,"c":1e2}}`;
    const [event] = parseSubmittedRecords(body, 'json', OPTIONS);
    assert.deepEqual(event.details, { a: 0, b: 1, c: 100 });
  });
});

// ---- property test: duplicate keys in generated JSON texts -----------------------------------

/** Key and string material that looks like JSON structure when mis-scanned. */
const TRICKY = [
  'a',
  'b',
  'ab',
  '"',
  '\\',
  ':',
  '{',
  '}',
  '[',
  ']',
  ',',
  '":',
  '\\"',
  ' ',
  'é',
  '😀',
  '\u2028',
  '\n',
];

/**
 * Emits `value` as JSON text with random whitespace and random \uXXXX escapes. If `dup` is
 * the pre-order number of an object, one of its keys is emitted twice (differently escaped),
 * and the expected error path is returned.
 */
class Emitter {
  objects = 0;
  dupPath: string | undefined;
  constructor(
    private readonly random: () => number,
    private readonly dup: number,
  ) {}
  space(): string {
    return ['', '', ' ', '\n', '\t', '\r\n  '][Math.floor(this.random() * 6)];
  }
  string(s: string): string {
    let out = '"';
    for (const unit of s.split('')) {
      const c = unit.charCodeAt(0);
      if (this.random() < 0.25 || c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
      else if (unit === '"' || unit === '\\') out += `\\${unit}`;
      else out += unit;
    }
    return `${out}"`;
  }
  value(v: unknown, path: string): string {
    if (typeof v === 'string') return this.string(v);
    if (Array.isArray(v)) {
      const items = v.map((x, i) => this.space() + this.value(x, `${path}[${i}]`) + this.space());
      return `[${items.join(',') || this.space()}]`;
    }
    if (typeof v === 'object' && v !== null) {
      const number = this.objects++;
      const entries = Object.entries(v);
      const members = entries.map(
        ([k, x]) =>
          `${this.space()}${this.string(k)}${this.space()}:${this.space()}${this.value(x, memberPath(path, k))}`,
      );
      if (number === this.dup && entries.length > 0) {
        const at = Math.floor(this.random() * entries.length);
        const key = entries[at][0];
        const insert = at + 1 + Math.floor(this.random() * (entries.length - at));
        members.splice(insert, 0, `${this.string(key)}:${this.space()}0`);
        this.dupPath = memberPath(path, key);
      }
      return `{${members.join(',') || this.space()}}`;
    }
    return JSON.stringify(v);
  }
}

function randomJson(random: () => number, depth: number): unknown {
  const pick = () => TRICKY[Math.floor(random() * TRICKY.length)];
  const text = () => Array.from({ length: 1 + Math.floor(random() * 3) }, pick).join('');
  const kind = Math.floor(random() * (depth > 0 ? 6 : 3));
  if (kind === 0) return text();
  if (kind === 1) return Math.floor(random() * 2000) - 1000;
  if (kind === 2) return [true, false, null][Math.floor(random() * 3)];
  if (kind === 3)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 6); i > 0; i--) out[text()] = randomJson(random, depth - 1);
  return out;
}

describe('parseEventsBody: duplicate keys in 2,000 generated texts', () => {
  it('accepts texts without duplicates and names the one injected duplicate', () => {
    const random = mulberry32(8785);
    let found = 0;
    for (let i = 0; i < 2000; i++) {
      const events = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const event: Record<string, unknown> = {};
        for (let k = Math.floor(random() * 5); k >= 0; k--) event[`f${k}`] = randomJson(random, 4);
        return event;
      });
      const single = events.length === 1 && random() < 0.5;
      const clean = new Emitter(random, -1);
      const cleanText = single ? clean.value(events[0], '$') : clean.value(events, '$');
      assert.deepEqual(parseEventsBody(cleanText, 'json'), events, cleanText);

      const dirty = new Emitter(random, Math.floor(random() * 6));
      const dirtyText = single ? dirty.value(events[0], '$') : dirty.value(events, '$');
      if (dirty.dupPath === undefined) continue;
      found++;
      throwsCore(() => parseEventsBody(dirtyText, 'json'), 'MALFORMED_JSON', dirty.dupPath);
    }
    assert.ok(found > 1000, `only ${found} duplicates injected`);
  });
});
