import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { canonicalize } from '../../src/core/canonical-json.js';
import { isCoreError } from '../../src/core/errors.js';
import {
  buildRecord,
  CATEGORIES,
  canonicalRecord,
  type EventRecord,
  MAX_CANONICAL_RECORD_BYTES,
  OUTCOMES,
  parseSubmittedRecords,
  recordFromCanonical,
  SENSITIVITIES,
  SEVERITIES,
  type SubmittedRecord,
  validateSubmittedRecord,
} from '../../src/core/record/index.js';
import { mulberry32 } from '../support/prng.js';
import { vectorPath } from '../support/vectors.js';

const SERVER = {
  id: '01JDQ2W3X4Y5Z6A7B8C9D0E1F2',
  received_at: '2026-11-22T09:14:03.131Z',
  source: 'billing-api',
};
const OPTIONS = { boundSource: SERVER.source };

function submitted(extra: Record<string, unknown> = {}): SubmittedRecord {
  return validateSubmittedRecord(
    {
      time: '2026-11-22T09:14:03.120Z',
      actor: { id: 'u-123' },
      action: 'customer.read',
      outcome: 'success',
      ...extra,
    },
    '$',
    OPTIONS,
  );
}

// ---- a seeded generator of valid records -----------------------------------------------------

/** Pieces chosen to stress JCS: escapes, controls, non-ASCII, astral, sort-order traps. */
const PIECES = [
  'a',
  'Z',
  '0',
  '_',
  ' ',
  'hello',
  '"',
  '\\',
  '/',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0080',
  'é',
  'ö',
  '€',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufb33',
  '\uffff',
  '😀',
  '𝄞',
  '\u{10FFFF}',
  'A\u030a',
  '</script>',
  '\\u0041',
];

class Generator {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  /** At most `pieces` pieces, each ≤ 9 UTF-16 units, so limits are easy to respect. */
  text(pieces = 6): string {
    let s = '';
    const n = this.int(1, pieces);
    for (let i = 0; i < n; i++) s += this.pick(PIECES);
    return s;
  }
  mixCase(s: string): string {
    return [...s].map((c) => (this.chance() ? c.toLowerCase() : c.toUpperCase())).join('');
  }
  id(): string {
    if (this.chance()) {
      const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
      let s = String(this.int(0, 7));
      for (let i = 1; i < 26; i++) s += alphabet[this.int(0, 31)];
      return this.mixCase(s);
    }
    const hex = () => '0123456789abcdef'[this.int(0, 15)];
    const group = (n: number) => Array.from({ length: n }, hex).join('');
    return this.mixCase(`${group(8)}-${group(4)}-${group(4)}-${group(4)}-${group(12)}`);
  }
  time(): string {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    let s = `${this.int(1971, 9998)}-${pad(this.int(1, 12))}-${pad(this.int(1, 28))}`;
    s += `${this.pick(['T', 't'])}${pad(this.int(0, 23))}:${pad(this.int(0, 59))}:${pad(this.int(0, 59))}`;
    if (this.chance()) s += `.${String(this.int(0, 999_999_999)).slice(0, this.int(1, 9))}`;
    if (this.chance()) s += this.pick(['Z', 'z']);
    else s += `${this.pick(['+', '-'])}${pad(this.int(0, 23))}:${pad(this.int(0, 59))}`;
    return s;
  }
  action(): string {
    const segment = () => this.pick(['customer', 'read', 'api-key', 'x_1', 'A', '9']);
    return Array.from({ length: this.int(2, 4) }, segment).join('.');
  }
  integer(): number {
    return this.pick([
      0,
      -0,
      1,
      -1,
      42,
      this.int(-1e6, 1e6),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 31,
      -(2 ** 31) - 1,
      1e15,
    ]);
  }
  json(depth: number): unknown {
    const kind = this.int(0, depth > 0 ? 6 : 3);
    switch (kind) {
      case 0:
        return this.text();
      case 1:
        return this.integer();
      case 2:
        return this.pick([true, false, null]);
      case 3:
        return this.text(2);
      case 4:
        return Array.from({ length: this.int(0, 4) }, () => this.json(depth - 1));
      default:
        return this.object(depth - 1);
    }
  }
  object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = this.int(0, 6);
    for (let i = 0; i < n; i++) out[this.text(3)] = this.json(depth);
    return out;
  }
  record(): Record<string, unknown> {
    const r: Record<string, unknown> = {
      time: this.time(),
      actor: { id: this.text() },
      action: this.action(),
      outcome: this.pick(OUTCOMES),
    };
    const actor = r.actor as Record<string, unknown>;
    if (this.chance()) r.id = this.id();
    if (this.chance()) actor.type = this.text();
    if (this.chance()) actor.name = this.text();
    if (this.chance()) actor.ip = this.pick(['10.0.0.7', '::1', '2001:db8::7', '::ffff:1.2.3.4']);
    if (this.chance()) actor.session = this.text();
    if (this.chance()) {
      const target: Record<string, unknown> = { id: this.text() };
      if (this.chance()) target.type = this.text();
      if (this.chance()) target.name = this.text();
      if (this.chance()) target.sensitivity = this.pick(SENSITIVITIES);
      r.target = target;
    }
    if (this.chance()) r.reason = this.text(20);
    if (this.chance()) r.details = this.object(3);
    if (this.chance()) r.category = this.pick(CATEGORIES);
    if (this.chance()) r.severity = this.pick(SEVERITIES);
    if (this.chance()) {
      const request: Record<string, unknown> = {};
      if (this.chance()) request.id = this.text();
      if (this.chance()) request.method = this.pick(['GET', 'POST', 'M-SEARCH']);
      if (this.chance()) request.path = this.text(20);
      if (this.chance()) request.status = this.int(100, 599);
      r.request = request;
    }
    if (this.chance()) r.trace_id = this.text();
    if (this.chance()) r.tenant = this.text();
    if (this.chance(0.2)) r.source = SERVER.source;
    // Shuffle member order: canonical form must not depend on it.
    return Object.fromEntries(Object.entries(r).sort(() => this.next() - 0.5));
  }
}

describe('canonicalRecord equals canonicalize(record) (RFC 8785)', () => {
  it('over 3,000 generated records, from objects and from JSON bodies', () => {
    const generate = new Generator(20261122);
    for (let i = 0; i < 3000; i++) {
      const input = generate.record();
      const fromObject = buildRecord(validateSubmittedRecord(input, '$', OPTIONS), SERVER);
      const text = canonicalRecord(fromObject);
      assert.equal(text, canonicalize(fromObject), `record ${i}`);
      // The same event sent as a JSON body (escapes in the raw text) gives the same bytes.
      const [parsed] = parseSubmittedRecords(JSON.stringify(input), 'json', OPTIONS);
      assert.equal(canonicalRecord(buildRecord(parsed, SERVER)), text, `record ${i} via body`);
      assert.deepEqual(recordFromCanonical(text), JSON.parse(JSON.stringify(fromObject)));
    }
  });

  it('every optional field on, and every one off', () => {
    const all = buildRecord(
      submitted({
        id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        actor: { id: 'u', type: 't', name: 'n', ip: '::1', session: 's' },
        target: { id: 'c', type: 't', name: 'n', sensitivity: 'public' },
        reason: 'r',
        details: { z: 1, a: [true, null, 'x'] },
        category: 'api',
        severity: 'low',
        request: { id: 'q', method: 'GET', path: '/', status: 204 },
        trace_id: 't',
        tenant: 'acme',
      }),
      SERVER,
    );
    assert.equal(canonicalRecord(all), canonicalize(all));
    const none = buildRecord(submitted(), SERVER);
    assert.equal(canonicalRecord(none), canonicalize(none));
  });

  it('produces the expected bytes for the DESIGN §3 example', () => {
    const record = buildRecord(
      submitted({
        id: '01jdq2w3x4y5z6a7b8c9d0e1f2',
        time: '2026-11-22T10:14:03.12+01:00',
        actor: { id: 'u-123', type: 'user', name: 'Ada', ip: '10.0.0.7', session: 's' },
        action: 'customer.read',
        target: { type: 'customer', id: 'c-9', name: 'Ç', sensitivity: 'restricted' },
        reason: 'ticket "SUP-1"\n',
        details: { b: 1, a: '😀', é: null },
      }),
      SERVER,
    );
    assert.equal(
      canonicalRecord(record),
      '{"action":"customer.read","actor":{"id":"u-123","ip":"10.0.0.7","name":"Ada","session":"s","type":"user"},' +
        '"details":{"a":"😀","b":1,"é":null},"id":"01JDQ2W3X4Y5Z6A7B8C9D0E1F2","outcome":"success",' +
        '"reason":"ticket \\"SUP-1\\"\\n","received_at":"2026-11-22T09:14:03.131Z","source":"billing-api",' +
        '"target":{"id":"c-9","name":"Ç","sensitivity":"restricted","type":"customer"},' +
        '"time":"2026-11-22T09:14:03.120Z"}',
    );
  });

  it('puts a declared backfill in the record, in JCS order, only when declared', () => {
    const live = buildRecord(submitted({}), SERVER);
    assert.equal('historical' in live, false);
    const backfill = buildRecord(submitted({ details: { a: 1 } }), { ...SERVER, historical: true });
    assert.equal(backfill.historical, true);
    const text = canonicalRecord(backfill);
    assert.equal(text, canonicalize(backfill));
    assert.match(text, /"details":\{"a":1\},"historical":true,"id":/);
  });

  it('falls back to the generic form for records outside the schema', () => {
    const base = buildRecord(submitted({ request: { status: 200 } }), SERVER) as unknown as Record<
      string,
      unknown
    >;
    const odd: Record<string, unknown>[] = [
      { ...base, extra: 1 },
      { ...base, Action: 'x' },
      { ...base, action: undefined },
      { ...base, action: 7 },
      { ...base, actor: { id: 'u', extra: true } },
      { ...base, actor: { name: 'no id' } },
      { ...base, actor: ['u'] },
      { ...base, target: { name: 'no id' } },
      { ...base, target: { id: 't', b: 1 } },
      { ...base, request: {} },
      { ...base, request: { status: '200', x: [1] } },
      { ...base, request: { status: -0 } },
      { ...base, request: { status: 1.5 } },
      { ...base, request: { status: 1e21 } },
      { ...base, request: { status: 5e-324 } },
      { ...base, request: { status: true } },
      { ...base, details: [3, 2, 1] },
      { ...base, time: { z: 1, a: 2 } },
      { ...base, reason: '\ud800 lone' },
      Object.assign(Object.create({ inherited: 1 }), base),
      {},
    ];
    for (const record of odd) {
      assert.equal(canonicalRecord(record as unknown as EventRecord), canonicalize(record));
    }
  });

  it('embeds details exactly as the RFC 8785 reference vectors canonicalise them', () => {
    const dir = vectorPath('cyberphone-json-canonicalization', 'testdata');
    const record = buildRecord(submitted(), SERVER);
    for (const file of readdirSync(`${dir}/input`)) {
      const input = JSON.parse(readFileSync(`${dir}/input/${file}`, 'utf8'));
      const expected = readFileSync(`${dir}/output/${file}`, 'utf8');
      const text = canonicalRecord({ ...record, details: input });
      assert.ok(text.includes(`,"details":${expected},"id":`), file);
    }
  });
});

describe('canonicalRecord: the 32 KiB cap', () => {
  /** A record whose canonical form is exactly `bytes` long, padded with `unit`. */
  function sized(bytes: number, unit: string, unitBytes: number): EventRecord {
    const record = buildRecord(submitted({ details: { pad: '' } }), SERVER);
    const base = Buffer.byteLength(canonicalRecord(record));
    const room = bytes - base;
    const pad = unit.repeat(Math.floor(room / unitBytes)) + 'x'.repeat(room % unitBytes);
    const out = { ...record, details: { pad } };
    assert.equal(Buffer.byteLength(canonicalize(out)), bytes);
    return out;
  }

  const UNITS: [string, string, number][] = [
    ['ASCII', 'a', 1],
    ['2-byte é', 'é', 2],
    ['3-byte €', '€', 3],
    ['4-byte emoji', '😀', 4],
    ['escaped control (\\u0001 = 6 bytes)', '\u0001', 6],
    ['escaped quote (2 bytes)', '"', 2],
  ];
  for (const [name, unit, unitBytes] of UNITS) {
    it(`${name}: ${MAX_CANONICAL_RECORD_BYTES} bytes pass, one more fails`, () => {
      const atCap = sized(MAX_CANONICAL_RECORD_BYTES, unit, unitBytes);
      assert.equal(Buffer.byteLength(canonicalRecord(atCap)), MAX_CANONICAL_RECORD_BYTES);
      const over = sized(MAX_CANONICAL_RECORD_BYTES + 1, unit, unitBytes);
      assert.throws(
        () => canonicalRecord(over, '$[4]'),
        (e: unknown) => isCoreError(e, 'RECORD_TOO_LARGE') && e.path === '$[4]',
      );
    });
  }

  it('defaults the error path to "$" and rejects a far larger record', () => {
    const record = { ...buildRecord(submitted(), SERVER), reason: 'r'.repeat(1_000_000) };
    assert.throws(
      () => canonicalRecord(record),
      (e: unknown) => isCoreError(e, 'RECORD_TOO_LARGE') && e.path === '$',
    );
  });
});

describe('buildRecord', () => {
  it('attaches the server fields and keeps a submitted id', () => {
    const record = buildRecord(submitted({ id: '01arz3ndektsv4rrffq69g5fav' }), SERVER);
    assert.equal(record.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    assert.equal(record.received_at, SERVER.received_at);
    assert.equal(record.source, SERVER.source);
  });

  it('uses the server id when the source sent none', () => {
    assert.equal(buildRecord(submitted(), SERVER).id, SERVER.id);
  });

  it('holds no undefined members and follows the DESIGN §3 order', () => {
    const record = buildRecord(submitted({ tenant: 't', reason: 'r' }), SERVER);
    assert.deepEqual(Object.keys(record), [
      'id',
      'time',
      'received_at',
      'source',
      'actor',
      'action',
      'outcome',
      'reason',
      'tenant',
    ]);
  });
});

describe('recordFromCanonical', () => {
  it('round-trips a canonical record', () => {
    const record = buildRecord(submitted({ details: { a: [1, { b: 'é' }] } }), SERVER);
    assert.deepEqual(recordFromCanonical(canonicalRecord(record)), record);
  });

  it('rejects text that is not a JSON object', () => {
    for (const text of ['', '{', '[]', '"x"', 'null']) {
      assert.throws(
        () => recordFromCanonical(text),
        (e: unknown) => isCoreError(e, 'MALFORMED_JSON'),
      );
    }
  });
});
