import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_REASONS } from '../../src/error-reasons.js';
import { event, type TestServer, testServer } from '../support/test-server.js';

/** Hostile and careless input: each case is a 4xx that says what to fix, and stores nothing. */
describe('HTTP API: bad input', () => {
  let t: TestServer;
  let key: { authorization: string };

  before(async () => {
    t = await testServer();
    key = await t.ingestKey('billing-api');
  });
  after(async () => t.close());

  const valid = JSON.stringify(event());
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const cases: {
    name: string;
    body: string;
    type?: string;
    status: number;
    code: string;
    reason?: string;
    path?: string;
  }[] = [
    { name: 'malformed JSON', body: '{"time":', status: 400, code: 'malformed_json' },
    { name: 'trailing garbage', body: `${valid}x`, status: 400, code: 'malformed_json' },
    {
      name: 'NaN literal',
      body: valid.replace('"success"', 'NaN'),
      status: 400,
      code: 'malformed_json',
    },
    { name: 'a scalar', body: '42', status: 400, code: 'invalid_record' },
    { name: 'an empty array', body: '[]', status: 400, code: 'invalid_record' },
    {
      name: 'wrong type',
      body: JSON.stringify(event({ actor: 'ada' })),
      status: 400,
      code: 'invalid_record',
      path: '$.actor',
    },
    {
      name: 'missing actor.id',
      body: JSON.stringify(event({ actor: { name: 'Ada' } })),
      status: 400,
      code: 'invalid_record',
      path: '$.actor.id',
    },
    {
      name: 'missing time',
      body: JSON.stringify(event({ time: undefined })),
      status: 400,
      code: 'invalid_record',
      path: '$.time',
    },
    {
      name: 'unknown top-level field',
      body: JSON.stringify(event({ actr: 'x' })),
      status: 400,
      code: 'invalid_record',
      path: '$.actr',
    },
    {
      name: 'unknown nested field',
      body: JSON.stringify(event({ target: { id: 'c', kind: 'x' } })),
      status: 400,
      code: 'invalid_record',
      path: '$.target.kind',
    },
    {
      name: 'received_at from the client',
      body: JSON.stringify(event({ received_at: '2026-11-22T09:00:00Z' })),
      status: 400,
      code: 'invalid_record',
      path: '$.received_at',
    },
    {
      name: 'bad outcome',
      body: JSON.stringify(event({ outcome: 'ok' })),
      status: 400,
      code: 'invalid_record',
      path: '$.outcome',
    },
    {
      name: 'bad time',
      body: JSON.stringify(event({ time: '2026-02-30T00:00:00Z' })),
      status: 400,
      code: 'invalid_record',
      path: '$.time',
    },
    {
      name: 'time without offset',
      body: JSON.stringify(event({ time: '2026-11-22T09:00:00' })),
      status: 400,
      code: 'invalid_record',
      path: '$.time',
    },
    {
      name: 'bad id',
      body: JSON.stringify(event({ id: 'not-an-id' })),
      status: 400,
      code: 'invalid_record',
      path: '$.id',
    },
    {
      name: 'bad ip',
      body: JSON.stringify(event({ actor: { id: 'u', ip: '10.0.0.300' } })),
      status: 400,
      code: 'invalid_record',
      path: '$.actor.ip',
    },
    {
      name: 'oversized field',
      body: JSON.stringify(event({ reason: 'x'.repeat(9000) })),
      status: 400,
      code: 'invalid_record',
      path: '$.reason',
    },
    {
      name: 'oversized record',
      body: JSON.stringify(event({ details: { blob: 'x'.repeat(40_000) } })),
      status: 413,
      code: 'record_too_large',
    },
    {
      name: 'deep nesting',
      body: JSON.stringify({ ...event(), details: 'X' }).replace('"X"', deep(40)),
      status: 400,
      code: 'invalid_record',
    },
    {
      name: 'very deep nesting',
      body: '['.repeat(100_000) + ']'.repeat(100_000),
      status: 400,
      code: 'invalid_record',
    },
    {
      name: 'escaped lone surrogate',
      body: valid.replace('"Ada"', '"\\ud800"'),
      status: 400,
      code: 'invalid_record',
      path: '$.actor.name',
    },
    {
      name: 'float',
      body: JSON.stringify(event({ details: { amount: 1.5 } })),
      status: 400,
      code: 'invalid_record',
      path: '$.details.amount',
    },
    {
      name: 'huge number',
      body: valid.replace('{"time"', '{"details":{"n":1e400},"time"'),
      status: 400,
      code: 'invalid_record',
      path: '$.details.n',
    },
    {
      name: '__proto__ key',
      body: valid.replace('{"time"', '{"details":{"__proto__":{"admin":true}},"time"'),
      status: 400,
      code: 'invalid_record',
      path: '$.details.__proto__',
    },
    {
      name: 'constructor.prototype in details (secure-json-parse shape)',
      body: valid.replace(
        '{"time"',
        '{"details":{"constructor":{"prototype":{"isAdmin":true}}},"time"',
      ),
      status: 400,
      code: 'invalid_record',
      path: '$.details.constructor.prototype',
    },
    {
      name: 'constructor.prototype deep in details',
      body: valid.replace(
        '{"time"',
        '{"details":{"a":[{"b":{"constructor":{"prototype":{"x":1}}}}]},"time"',
      ),
      status: 400,
      code: 'invalid_record',
      path: '$.details.a[0].b.constructor.prototype',
    },
    {
      name: 'NUL byte',
      body: JSON.stringify(event({ action: 'customer.re\u0000ad' })),
      status: 400,
      code: 'invalid_record',
      path: '$.action',
    },
    {
      name: 'duplicate keys',
      body: valid.replace('{"time"', '{"outcome":"denied","time"'),
      status: 400,
      code: 'malformed_json',
    },
    {
      name: 'too many records',
      body: JSON.stringify(Array.from({ length: 10_001 }, () => event())),
      status: 413,
      code: 'too_many_records',
    },
    {
      name: 'a byte order mark, then an unknown field',
      body: `\ufeff${JSON.stringify(event({ actr: 1 }))}`,
      status: 400,
      code: 'invalid_record',
      path: '$.actr',
    },
    {
      name: 'bad NDJSON line',
      body: `${valid}\n{"time":\n`,
      type: 'application/x-ndjson',
      status: 400,
      code: 'malformed_json',
      path: '$[1]',
    },
    {
      name: 'bad record in an array',
      body: JSON.stringify([event(), event(), event({ outcome: 'nope' })]),
      status: 400,
      code: 'invalid_record',
      path: '$[2].outcome',
    },
    { name: 'empty body', body: '', status: 400, code: 'bad_request', reason: 'empty_body' },
    {
      name: 'wrong content type',
      body: valid,
      type: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'body over 10 MiB',
      body: `${' '.repeat(10 * 1024 * 1024)}${valid}`,
      status: 413,
      code: 'payload_too_large',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = (await t.log.store.head())!.size;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...key, 'content-type': c.type ?? 'application/json' },
        payload: c.body,
      });
      assert.equal(res.statusCode, c.status, res.body.slice(0, 300));
      const error = res.json().error;
      assert.equal(error.code, c.code, error.message);
      assert.ok(
        (ERROR_REASONS as string[]).includes(error.reason),
        `"${error.reason}" is a documented reason`,
      );
      assert.ok(error.message.length > 10, 'the message says what to fix');
      if (c.reason !== undefined) assert.equal(error.reason, c.reason, error.message);
      if (c.path !== undefined) assert.equal(error.path, c.path, error.message);
      assert.equal((await t.log.store.head())!.size, before, 'nothing from the request is stored');
    });
  }

  it('an administrative body with constructor.prototype nested inside → 400 naming the path', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/notifications',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: '{"channels":[{"id":"a","constructor":{"prototype":{"isAdmin":true}}}]}',
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'bad_request');
    assert.equal(res.json().error.path, '$.channels[0].constructor.prototype');
  });

  it('stays up and keeps accepting good events afterwards', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: valid,
    });
    assert.equal(res.statusCode, 201);
  });
});
