import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type CoreErrorCode, isCoreError } from '../../src/core/errors.js';
import {
  MAX_ACTION_LENGTH,
  MAX_ACTOR_ID_LENGTH,
  MAX_ACTOR_NAME_LENGTH,
  MAX_ACTOR_SESSION_LENGTH,
  MAX_DEPTH,
  MAX_DETAILS_KEY_LENGTH,
  MAX_REASON_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MAX_REQUEST_METHOD_LENGTH,
  MAX_REQUEST_PATH_LENGTH,
  MAX_TARGET_ID_LENGTH,
  MAX_TARGET_NAME_LENGTH,
  MAX_TENANT_LENGTH,
  MAX_TRACE_ID_LENGTH,
  MAX_TYPE_LENGTH,
  validateSubmittedRecord,
} from '../../src/core/record/index.js';

const OPTIONS = { boundSource: 'billing-api' };

// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary shapes
type Loose = Record<string, any>;

function minimal(): Loose {
  return {
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-123' },
    action: 'customer.read',
    outcome: 'success',
  };
}

function full(): Loose {
  return {
    id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-123', type: 'user', name: 'Ada', ip: '10.0.0.7', session: 's-1' },
    action: 'customer.read',
    target: { type: 'customer', id: 'c-9', name: 'Acme', sensitivity: 'restricted' },
    outcome: 'success',
    reason: 'ticket SUP-1',
    details: { rows: 1, fields: ['email'], nested: { ok: true, none: null } },
    category: 'data',
    severity: 'info',
    request: { id: 'req-1', method: 'GET', path: '/api/customers/c-9', status: 200 },
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    tenant: 'acme',
  };
}

function validate(value: unknown, path = '$') {
  return validateSubmittedRecord(value, path, OPTIONS);
}

function throwsCore(fn: () => unknown, code: CoreErrorCode, path: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isCoreError(error), `expected a CoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.path, path);
    return true;
  });
}

/** A record changed by `mutate`; JSON round-trip so it looks like a parsed body. */
function variant(mutate: (r: Loose) => void, base = full): Loose {
  const r = base();
  mutate(r);
  return r;
}

describe('validateSubmittedRecord: accepted records', () => {
  it('accepts the minimal record and returns exactly its fields', () => {
    assert.deepEqual(validate(minimal()), minimal());
  });

  it('accepts the full record unchanged (already normal)', () => {
    assert.deepEqual(validate(full()), full());
  });

  it('builds a new object graph: nothing is shared with the input', () => {
    const input = full();
    const out = validate(input) as Loose;
    assert.notEqual(out, input);
    assert.notEqual(out.actor, input.actor);
    assert.notEqual(out.target, input.target);
    assert.notEqual(out.request, input.request);
    assert.notEqual(out.details, input.details);
    assert.notEqual(out.details.fields, input.details.fields);
    assert.notEqual(out.details.nested, input.details.nested);
    input.details.nested.ok = false;
    input.actor.id = 'changed';
    assert.equal(out.details.nested.ok, true);
    assert.equal(out.actor.id, 'u-123');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  it('accepts "source" equal to the bound source and drops it', () => {
    const out = validate(variant((r) => (r.source = 'billing-api'), minimal));
    assert.equal('source' in out, false);
  });

  it('treats undefined properties (JavaScript callers) as absent', () => {
    const out = validate({ ...minimal(), reason: undefined, actor: { id: 'u', name: undefined } });
    assert.deepEqual(out, { ...minimal(), actor: { id: 'u' } });
  });

  it('drops empty "details" and "request" objects (one spelling for "none")', () => {
    const out = validate({ ...minimal(), details: {}, request: {} });
    assert.deepEqual(Object.keys(out).sort(), ['action', 'actor', 'outcome', 'time']);
  });

  it('keeps empty objects and arrays nested inside details', () => {
    const out = validate({ ...minimal(), details: { a: {}, b: [] } });
    assert.deepEqual(out.details, { a: {}, b: [] });
  });

  it('accepts a prototype-less object', () => {
    const input = Object.assign(Object.create(null), minimal());
    assert.deepEqual(validate(input), minimal());
  });

  it('normalises -0 in details to 0 and keeps safe integers', () => {
    const out = validate({
      ...minimal(),
      details: { z: -0, max: Number.MAX_SAFE_INTEGER, min: Number.MIN_SAFE_INTEGER, e: 1e3 },
    });
    assert.ok(Object.is(out.details?.z, 0));
    assert.equal(out.details?.max, Number.MAX_SAFE_INTEGER);
    assert.equal(out.details?.min, Number.MIN_SAFE_INTEGER);
    assert.equal(out.details?.e, 1000);
  });

  it('allows "constructor" and "prototype" as details keys when they do not form constructor.prototype', () => {
    const input = JSON.parse(
      '{"constructor":{"name":"x"},"prototype":{"x":1},"c":{"constructor":2}}',
    );
    const out = validate({ ...minimal(), details: input });
    assert.deepEqual(out.details, {
      constructor: { name: 'x' },
      prototype: { x: 1 },
      c: { constructor: 2 },
    });
    assert.equal(({} as Loose).x, undefined);
  });

  it('accepts strings at exactly their maximum length', () => {
    const out = validate(
      variant((r) => {
        r.actor.id = 'a'.repeat(MAX_ACTOR_ID_LENGTH);
        r.reason = 'r'.repeat(MAX_REASON_LENGTH);
        r.request.path = `/${'p'.repeat(MAX_REQUEST_PATH_LENGTH - 1)}`;
      }),
    );
    assert.equal(out.actor.id.length, MAX_ACTOR_ID_LENGTH);
  });

  it('accepts well-formed astral characters (surrogate pairs) and U+2028 anywhere', () => {
    const text = 'emoji 😀 𝄞 \u2028 \u{10FFFF}';
    const out = validate({ ...minimal(), reason: text, details: { [text]: [text] } });
    assert.equal(out.reason, text);
    assert.deepEqual(out.details, { [text]: [text] });
  });

  it('validates nesting up to exactly MAX_DEPTH levels (the record is level 1)', () => {
    let deep: Loose = {};
    for (let level = 3; level < MAX_DEPTH; level++) deep = { d: deep };
    // details (level 2) + MAX_DEPTH - 2 more levels
    const out = validate({ ...minimal(), details: { d: deep } });
    assert.ok(out.details);
  });

  it('accepts every enum value', () => {
    for (const outcome of ['success', 'failure', 'denied', 'unknown']) {
      assert.equal(validate({ ...minimal(), outcome }).outcome, outcome);
    }
    for (const category of ['authentication', 'iam', 'api', 'data', 'file', 'config', 'audit']) {
      assert.equal(validate({ ...minimal(), category }).category, category);
    }
    for (const severity of ['info', 'low', 'medium', 'high', 'critical']) {
      assert.equal(validate({ ...minimal(), severity }).severity, severity);
    }
    for (const sensitivity of ['public', 'internal', 'confidential', 'restricted']) {
      const out = validate({ ...minimal(), target: { id: 't', sensitivity } });
      assert.equal(out.target?.sensitivity, sensitivity);
    }
  });

  it('accepts HTTP status 100 and 599 and method tokens', () => {
    for (const status of [100, 599]) {
      assert.equal(validate({ ...minimal(), request: { status } }).request?.status, status);
    }
    for (const method of ['GET', 'PROPFIND', 'M-SEARCH', 'get']) {
      assert.equal(validate({ ...minimal(), request: { method } }).request?.method, method);
    }
  });
});

const long = (n: number) => 'x'.repeat(n + 1);

const REJECTED: { name: string; input: unknown; path: string }[] = [
  // shape
  { name: 'an array', input: [minimal()], path: '$' },
  { name: 'a string', input: 'event', path: '$' },
  { name: 'null', input: null, path: '$' },
  { name: 'a class instance', input: new (class Event {})(), path: '$' },
  { name: 'a Date', input: new Date(), path: '$' },
  // required
  ...['time', 'actor', 'action', 'outcome'].map((field) => ({
    name: `missing ${field}`,
    input: variant((r) => delete r[field], minimal),
    path: `$.${field}`,
  })),
  { name: 'missing actor.id', input: variant((r) => delete r.actor.id), path: '$.actor.id' },
  { name: 'missing target.id', input: variant((r) => delete r.target.id), path: '$.target.id' },
  { name: 'required time null', input: variant((r) => (r.time = null)), path: '$.time' },
  { name: 'required actor null', input: variant((r) => (r.actor = null)), path: '$.actor' },
  {
    name: 'required actor.id null',
    input: variant((r) => (r.actor.id = null)),
    path: '$.actor.id',
  },
  { name: 'required outcome null', input: variant((r) => (r.outcome = null)), path: '$.outcome' },
  // unknown fields at every level of the fixed schema
  { name: 'unknown top-level field', input: variant((r) => (r.actr = 'x')), path: '$.actr' },
  {
    name: 'top-level typo of a field',
    input: variant((r) => (r.Outcome = 'x')),
    path: '$.Outcome',
  },
  {
    name: 'unknown actor field',
    input: variant((r) => (r.actor.email = 'a@b')),
    path: '$.actor.email',
  },
  {
    name: 'unknown target field',
    input: variant((r) => (r.target.owner = 'x')),
    path: '$.target.owner',
  },
  {
    name: 'unknown request field',
    input: variant((r) => (r.request.url = '/x')),
    path: '$.request.url',
  },
  {
    name: 'unknown field with an odd name',
    input: variant((r) => (r['a b'] = 1)),
    path: '$["a b"]',
  },
  {
    name: 'top-level __proto__ (own property from JSON.parse)',
    input: { ...minimal(), ...JSON.parse('{"__proto__":{"x":1}}') },
    path: '$.__proto__',
  },
  {
    name: 'actor constructor key',
    input: variant((r) => (r.actor = JSON.parse('{"id":"u","constructor":1}'))),
    path: '$.actor.constructor',
  },
  // server-owned fields
  { name: 'received_at', input: variant((r) => (r.received_at = r.time)), path: '$.received_at' },
  {
    name: 'received_at null',
    input: variant((r) => (r.received_at = null)),
    path: '$.received_at',
  },
  { name: 'another source', input: variant((r) => (r.source = 'other')), path: '$.source' },
  {
    name: 'source in another case',
    input: variant((r) => (r.source = 'Billing-API')),
    path: '$.source',
  },
  { name: 'source null', input: variant((r) => (r.source = null)), path: '$.source' },
  { name: 'source number', input: variant((r) => (r.source = 1)), path: '$.source' },
  // optional fields set to null: "omit the field instead"
  ...[
    'id',
    'target',
    'reason',
    'details',
    'category',
    'severity',
    'request',
    'trace_id',
    'tenant',
  ].map((field) => ({
    name: `${field} null`,
    input: variant((r) => (r[field] = null)),
    path: `$.${field}`,
  })),
  ...['type', 'name', 'ip', 'session'].map((field) => ({
    name: `actor.${field} null`,
    input: variant((r) => (r.actor[field] = null)),
    path: `$.actor.${field}`,
  })),
  ...['type', 'name', 'sensitivity'].map((field) => ({
    name: `target.${field} null`,
    input: variant((r) => (r.target[field] = null)),
    path: `$.target.${field}`,
  })),
  ...['id', 'method', 'path', 'status'].map((field) => ({
    name: `request.${field} null`,
    input: variant((r) => (r.request[field] = null)),
    path: `$.request.${field}`,
  })),
  // wrong types
  { name: 'time number', input: variant((r) => (r.time = 1764000000000)), path: '$.time' },
  { name: 'actor string', input: variant((r) => (r.actor = 'u-1')), path: '$.actor' },
  { name: 'actor array', input: variant((r) => (r.actor = [{ id: 'u' }])), path: '$.actor' },
  { name: 'actor.id number', input: variant((r) => (r.actor.id = 123)), path: '$.actor.id' },
  { name: 'action array', input: variant((r) => (r.action = ['a', 'b'])), path: '$.action' },
  { name: 'target string', input: variant((r) => (r.target = 'c-9')), path: '$.target' },
  { name: 'request array', input: variant((r) => (r.request = [])), path: '$.request' },
  { name: 'details array', input: variant((r) => (r.details = [1])), path: '$.details' },
  { name: 'details string', input: variant((r) => (r.details = '{}')), path: '$.details' },
  { name: 'reason boolean', input: variant((r) => (r.reason = true)), path: '$.reason' },
  { name: 'tenant object', input: variant((r) => (r.tenant = {})), path: '$.tenant' },
  { name: 'id number', input: variant((r) => (r.id = 42)), path: '$.id' },
  // enums (exact, lower case)
  { name: 'outcome unknown value', input: variant((r) => (r.outcome = 'ok')), path: '$.outcome' },
  { name: 'outcome upper case', input: variant((r) => (r.outcome = 'SUCCESS')), path: '$.outcome' },
  { name: 'category unknown', input: variant((r) => (r.category = 'network')), path: '$.category' },
  { name: 'severity unknown', input: variant((r) => (r.severity = 'warning')), path: '$.severity' },
  {
    name: 'sensitivity unknown',
    input: variant((r) => (r.target.sensitivity = 'secret')),
    path: '$.target.sensitivity',
  },
  // request
  { name: 'status 99', input: variant((r) => (r.request.status = 99)), path: '$.request.status' },
  { name: 'status 600', input: variant((r) => (r.request.status = 600)), path: '$.request.status' },
  {
    name: 'status float',
    input: variant((r) => (r.request.status = 200.5)),
    path: '$.request.status',
  },
  {
    name: 'status string',
    input: variant((r) => (r.request.status = '200')),
    path: '$.request.status',
  },
  {
    name: 'status NaN',
    input: variant((r) => (r.request.status = Number.NaN)),
    path: '$.request.status',
  },
  {
    name: 'method with space',
    input: variant((r) => (r.request.method = 'GE T')),
    path: '$.request.method',
  },
  {
    name: 'method empty',
    input: variant((r) => (r.request.method = '')),
    path: '$.request.method',
  },
  // empty strings
  ...(
    [
      ['actor.id', (r: Loose) => (r.actor.id = '')],
      ['actor.type', (r: Loose) => (r.actor.type = '')],
      ['actor.name', (r: Loose) => (r.actor.name = '')],
      ['actor.session', (r: Loose) => (r.actor.session = '')],
      ['actor.ip', (r: Loose) => (r.actor.ip = '')],
      ['target.id', (r: Loose) => (r.target.id = '')],
      ['target.type', (r: Loose) => (r.target.type = '')],
      ['target.name', (r: Loose) => (r.target.name = '')],
      ['reason', (r: Loose) => (r.reason = '')],
      ['trace_id', (r: Loose) => (r.trace_id = '')],
      ['tenant', (r: Loose) => (r.tenant = '')],
      ['request.id', (r: Loose) => (r.request.id = '')],
      ['request.path', (r: Loose) => (r.request.path = '')],
      ['action', (r: Loose) => (r.action = '')],
      ['time', (r: Loose) => (r.time = '')],
      ['id', (r: Loose) => (r.id = '')],
    ] as const
  ).map(([field, mutate]) => ({
    name: `${field} empty`,
    input: variant(mutate),
    path: `$.${field}`,
  })),
  // lengths, one past each limit
  ...(
    [
      ['actor.id', (r: Loose) => (r.actor.id = long(MAX_ACTOR_ID_LENGTH))],
      ['actor.type', (r: Loose) => (r.actor.type = long(MAX_TYPE_LENGTH))],
      ['actor.name', (r: Loose) => (r.actor.name = long(MAX_ACTOR_NAME_LENGTH))],
      ['actor.session', (r: Loose) => (r.actor.session = long(MAX_ACTOR_SESSION_LENGTH))],
      ['target.id', (r: Loose) => (r.target.id = long(MAX_TARGET_ID_LENGTH))],
      ['target.type', (r: Loose) => (r.target.type = long(MAX_TYPE_LENGTH))],
      ['target.name', (r: Loose) => (r.target.name = long(MAX_TARGET_NAME_LENGTH))],
      ['reason', (r: Loose) => (r.reason = long(MAX_REASON_LENGTH))],
      ['trace_id', (r: Loose) => (r.trace_id = long(MAX_TRACE_ID_LENGTH))],
      ['tenant', (r: Loose) => (r.tenant = long(MAX_TENANT_LENGTH))],
      ['request.id', (r: Loose) => (r.request.id = long(MAX_REQUEST_ID_LENGTH))],
      ['request.method', (r: Loose) => (r.request.method = long(MAX_REQUEST_METHOD_LENGTH))],
      ['request.path', (r: Loose) => (r.request.path = long(MAX_REQUEST_PATH_LENGTH))],
      ['action', (r: Loose) => (r.action = `a.${'b'.repeat(MAX_ACTION_LENGTH - 1)}`)],
    ] as const
  ).map(([field, mutate]) => ({
    name: `${field} too long`,
    input: variant(mutate),
    path: `$.${field}`,
  })),
  // NUL and lone surrogates in fixed fields
  { name: 'NUL in actor.id', input: variant((r) => (r.actor.id = 'u\u00001')), path: '$.actor.id' },
  { name: 'NUL in reason', input: variant((r) => (r.reason = '\u0000')), path: '$.reason' },
  {
    name: 'lone high surrogate in reason',
    input: variant((r) => (r.reason = 'a\ud800b')),
    path: '$.reason',
  },
  {
    name: 'lone low surrogate in actor.name',
    input: variant((r) => (r.actor.name = '\udc00')),
    path: '$.actor.name',
  },
  {
    name: 'reversed pair in tenant',
    input: variant((r) => (r.tenant = '\ude00\ud83d')),
    path: '$.tenant',
  },
  {
    name: 'trailing high surrogate',
    input: variant((r) => (r.target.name = 'x\ud83d')),
    path: '$.target.name',
  },
  // details: JCS hygiene
  { name: 'details float', input: variant((r) => (r.details = { x: 1.5 })), path: '$.details.x' },
  {
    name: 'details 2^53',
    input: variant((r) => (r.details = { x: 2 ** 53 })),
    path: '$.details.x',
  },
  {
    name: 'details -2^53',
    input: variant((r) => (r.details = { x: -(2 ** 53) })),
    path: '$.details.x',
  },
  {
    name: 'details 1e400',
    input: variant((r) => (r.details = JSON.parse('{"x":1e400}'))),
    path: '$.details.x',
  },
  {
    name: 'details Infinity',
    input: variant((r) => (r.details = { x: Number.NEGATIVE_INFINITY })),
    path: '$.details.x',
  },
  {
    name: 'details NaN',
    input: variant((r) => (r.details = { x: Number.NaN })),
    path: '$.details.x',
  },
  { name: 'details 1e-7', input: variant((r) => (r.details = { x: 1e-7 })), path: '$.details.x' },
  {
    name: 'float in array',
    input: variant((r) => (r.details = { a: [1, 2, 0.1] })),
    path: '$.details.a[2]',
  },
  {
    name: 'huge integer literal',
    input: variant((r) => (r.details = JSON.parse('{"id":12345678901234567890}'))),
    path: '$.details.id',
  },
  {
    name: 'NUL in details value',
    input: variant((r) => (r.details = { q: 'a\u0000' })),
    path: '$.details.q',
  },
  {
    name: 'NUL in details key',
    input: variant((r) => (r.details = { 'a\u0000': 1 })),
    path: '$.details["a\\u0000"]',
  },
  {
    name: 'lone surrogate deep in details',
    input: variant((r) => (r.details = { a: [{ b: ['ok', '\ud800'] }] })),
    path: '$.details.a[0].b[1]',
  },
  {
    name: 'lone surrogate in details key',
    input: variant((r) => (r.details = { a: { 'k\udfff': 1 } })),
    path: '$.details.a["k\\udfff"]',
  },
  {
    name: '__proto__ key in details',
    input: variant((r) => (r.details = JSON.parse('{"__proto__":{"polluted":true}}'))),
    path: '$.details.__proto__',
  },
  {
    name: '__proto__ key nested in details',
    input: variant((r) => (r.details = JSON.parse('{"a":[{"__proto__":1}]}'))),
    path: '$.details.a[0].__proto__',
  },
  {
    name: 'constructor.prototype in details',
    input: variant((r) => (r.details = JSON.parse('{"constructor":{"prototype":{"x":1}}}'))),
    path: '$.details.constructor.prototype',
  },
  {
    name: 'constructor.prototype nested in details',
    input: variant((r) => (r.details = JSON.parse('{"a":[{"constructor":{"prototype":1}}]}'))),
    path: '$.details.a[0].constructor.prototype',
  },
  {
    name: 'empty details key',
    input: variant((r) => (r.details = { '': 1 })),
    path: '$.details[""]',
  },
  {
    name: 'details key too long',
    input: variant((r) => (r.details = { [long(MAX_DETAILS_KEY_LENGTH)]: 1 })),
    path: `$.details.${long(MAX_DETAILS_KEY_LENGTH)}`,
  },
  {
    name: 'undefined in a details array',
    input: variant((r) => (r.details = { a: [undefined] })),
    path: '$.details.a[0]',
  },
  {
    name: 'function in details',
    input: variant((r) => (r.details = { f: () => 1 })),
    path: '$.details.f',
  },
  {
    name: 'bigint in details',
    input: variant((r) => (r.details = { n: 1n })),
    path: '$.details.n',
  },
  {
    name: 'Date in details',
    input: variant((r) => (r.details = { d: new Date(0) })),
    path: '$.details.d',
  },
  {
    name: 'Map in details',
    input: variant((r) => (r.details = { m: new Map() })),
    path: '$.details.m',
  },
];

describe('validateSubmittedRecord: rejected records', () => {
  for (const { name, input, path } of REJECTED) {
    it(`rejects ${name} at ${path}`, () => {
      throwsCore(() => validate(input), 'INVALID_RECORD', path);
    });
  }

  it('prefixes every path with the path it was given', () => {
    throwsCore(
      () =>
        validate(
          variant((r) => delete r.actor.id),
          '$[7]',
        ),
      'INVALID_RECORD',
      '$[7].actor.id',
    );
  });

  it('rejects nesting one level past MAX_DEPTH, naming the container', () => {
    let deep: Loose = {};
    for (let level = 3; level <= MAX_DEPTH; level++) deep = { d: deep };
    const path = `$.details${'.d'.repeat(MAX_DEPTH - 1)}`;
    throwsCore(() => validate({ ...minimal(), details: { d: deep } }), 'INVALID_RECORD', path);
  });

  it('rejects nesting through arrays past MAX_DEPTH', () => {
    let deep: unknown = [];
    for (let level = 3; level <= MAX_DEPTH; level++) deep = [deep];
    const path = `$.details.a${'[0]'.repeat(MAX_DEPTH - 2)}`;
    throwsCore(() => validate({ ...minimal(), details: { a: deep } }), 'INVALID_RECORD', path);
  });

  it('terminates on cyclic input (depth bound)', () => {
    const cycle: Loose = {};
    cycle.self = cycle;
    assert.throws(
      () => validate({ ...minimal(), details: cycle }),
      (e: unknown) => isCoreError(e, 'INVALID_RECORD'),
    );
  });

  it('reads only own properties: a polluted prototype adds no field', () => {
    const proto = { reason: 'injected' };
    const input = Object.assign(Object.create(proto), minimal());
    throwsCore(() => validate(input), 'INVALID_RECORD', '$'); // not a plain object
  });
});
