import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMappingsFile } from '../../src/connect/mapping/registry.js';
import { registeredRoutes } from '../../src/server/app.js';
import { type TestServer, testServer } from '../support/test-server.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/shippers');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const TYPES: Record<string, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

describe('POST /api/v1/ingest/:mapping', () => {
  let t: TestServer;
  let key: { authorization: string };

  const post = async (mapping: string, file: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${mapping}${query}`,
      headers: { ...key, 'content-type': TYPES[file.split('.').pop()!]! },
      payload: fixture(file),
    });

  const storedRecords = async (ids: string[]) => {
    const found = await t.log.store.entriesByIds(ids);
    // biome-ignore lint/suspicious/noExplicitAny: stored records are free-form JSON read by path
    return ids.map((id) => JSON.parse(found.get(id)!.record) as Record<string, any>);
  };

  before(async () => {
    t = await testServer();
    key = { authorization: (await t.ingestKey('linux-hosts')).authorization };
  });
  after(() => t.close());

  const cases: [string, string, [string, string, string][]][] = [
    [
      'fluent-bit',
      'fluent-bit-syslog.json',
      [
        ['ssh.login', 'success', 'alice'],
        ['ssh.login', 'failure', 'admin'],
        ['sudo.command', 'success', 'alice'],
      ],
    ],
    [
      'fluent-bit',
      'fluent-bit-systemd.ndjson',
      [
        ['ssh.login', 'success', 'bob'],
        ['su.switch_user', 'success', 'bob'],
      ],
    ],
    [
      'fluent-bit',
      'fluent-bit-tail.json',
      [
        ['ssh.login', 'failure', 'oracle'],
        ['session.open', 'success', 'carol'],
      ],
    ],
    ['fluent-bit', 'fluent-bit-postgres-stderr.json', [['db.create_table', 'unknown', 'alice']]],
    [
      'vector',
      'vector-syslog.ndjson',
      [
        ['ssh.login', 'failure', 'dave'],
        ['db.update', 'unknown', 'erin'],
      ],
    ],
    ['vector', 'vector-journald.json', [['su.switch_user', 'failure', 'frank']]],
    [
      'syslog-ng',
      'syslog-ng.ndjson',
      [
        ['sudo.command', 'denied', 'grace'],
        ['ssh.login', 'success', 'heidi'],
        ['log.message', 'unknown', 'cron'],
      ],
    ],
    [
      'postgres-csvlog',
      'postgres.csv',
      [
        ['db.select', 'unknown', 'alice'],
        ['db.insert', 'unknown', 'alice'],
        ['db.connect', 'failure', 'mallory'],
      ],
    ],
  ];
  for (const [mapping, file, expected] of cases) {
    it(`${mapping}: ${file} becomes records, as the key's source`, async () => {
      const res = await post(mapping, file);
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(body.raw, 0);
      assert.match(body.checkpoint, /^evident\.test\/log\n/);
      const records = await storedRecords(body.entries.map((e: { id: string }) => e.id));
      assert.deepEqual(
        records.map((r) => [r.action, r.outcome, r.actor.id]),
        expected,
      );
      for (const r of records) assert.equal(r.source, 'linux-hosts');
    });
  }

  it("keeps the sender's time, host and the original message", async () => {
    const res = await post('fluent-bit', 'fluent-bit-syslog.json');
    const [first] = await storedRecords([res.json().entries[0].id]);
    assert.equal(first!.time, '2026-11-22T09:14:03.120Z');
    assert.deepEqual(first!.target, { type: 'host', id: 'web1' });
    assert.match(first!.details.message, /^Accepted publickey for alice/);
    const csv = await post('postgres-csvlog', 'postgres.csv');
    const [select] = await storedRecords([csv.json().entries[0].id]);
    assert.equal(select!.time, '2026-11-22T09:14:03.120Z');
    assert.deepEqual(select!.actor, { id: 'alice', type: 'db_role', ip: '10.0.0.7' });
    assert.deepEqual(select!.target, { type: 'table', id: 'public.customers' });
    assert.equal(select!.reason, 'select * from customers where id = 1');
  });

  it("dedupe=content: a shipper's retry of the same body is stored once", async () => {
    const before = (await t.log.store.head())!.size;
    const first = await post('syslog-ng', 'syslog-ng.ndjson', '?dedupe=content');
    assert.equal(first.statusCode, 201, first.body);
    const again = await post('syslog-ng', 'syslog-ng.ndjson', '?dedupe=content');
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(
      again.json().entries.map((e: { seq: number; duplicate: boolean }) => [e.seq, e.duplicate]),
      first.json().entries.map((e: { seq: number }) => [e.seq, true]),
    );
    assert.equal((await t.log.store.head())!.size, before + 3);
    // Without dedupe the same body is three new events again (the default for syslog-ng).
    const plain = await post('syslog-ng', 'syslog-ng.ndjson');
    assert.equal((await t.log.store.head())!.size, before + 6);
    assert.ok(plain.json().entries.every((e: { duplicate: boolean }) => !e.duplicate));
  });

  it('a record nothing recognises is kept raw-ish as log.message, an unparseable csv line as raw', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/postgres-csvlog',
      headers: { ...key, 'content-type': 'text/csv' },
      payload: 'not,a,csvlog,line\n',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().raw, 1);
    const [r] = await storedRecords([res.json().entries[0].id]);
    assert.equal(r!.action, 'postgres_csvlog.raw');
    assert.equal(r!.details.line, 'not,a,csvlog,line');
  });

  for (const [name, mapping, type, payload, status, code] of [
    ['unknown mapping', 'splunk', 'application/json', '{}', 404, 'not_found'],
    ['csv to a JSON mapping', 'vector', 'text/csv', 'a,b', 415, 'unsupported_media_type'],
    [
      'JSON to the csvlog mapping',
      'postgres-csvlog',
      'application/json',
      '{}',
      415,
      'unsupported_media_type',
    ],
    ['not JSON', 'vector', 'application/json', '{"message":', 400, 'malformed_json'],
    [
      'a duplicate key',
      'vector',
      'application/json',
      '{"message":"a","message":"b"}',
      400,
      'malformed_json',
    ],
    ['an array of numbers', 'vector', 'application/json', '[1,2]', 400, 'invalid_record'],
    ['empty body', 'vector', 'application/json', '', 400, 'bad_request'],
  ] as const) {
    it(`${name} → ${status} ${code}`, async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${mapping}`,
        headers: { ...key, 'content-type': type },
        payload,
      });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code);
      assert.ok(res.json().error.message.length > 10);
    });
  }

  it('documents the mapping and OTLP routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    const mine = registeredRoutes(t.app).filter(
      (r) => r.method === 'POST' && /^\/(api\/v1\/ingest|v1\/logs)/.test(r.url),
    );
    assert.equal(mine.length, 2);
    for (const r of mine) {
      const path = r.url.replace(/:([a-z_]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.post, `${r.url} is documented`);
    }
  });

  it('a bad dedupe value names the choices', async () => {
    const res = await post('vector', 'vector-journald.json', '?dedupe=yes');
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /content/);
    assert.equal(res.json().error.reason, 'invalid_query');
  });
});

describe('mappings file', () => {
  it('a configured mapping on a built-in base, with its own rules and dedupe', () => {
    const registry = parseMappingsFile(
      `mappings:
  shop-logs:
    base: vector
    fields: { message: msg, time: ts }
    dedupe: true
    rules:
      - when: { message: '^login (?<user>\\S+)$' }
        record: { action: shop.login, outcome: success, actor: { id: '\${user}' } }
`,
      'm.yaml',
    );
    const m = registry.get('shop-logs')!;
    assert.equal(m.dedupe, true);
    assert.deepEqual(m.json!.message, ['msg']);
    assert.deepEqual(m.json!.host, ['hostname', 'host']);
    assert.equal(m.mappers[0]!({ message: 'login ada' })?.action, 'shop.login');
    assert.ok(registry.get('vector'), 'built-ins stay');
  });

  for (const [text, why] of [
    ['mappings: []', /one entry per mapping/],
    ['mappings: { x: { base: splunk } }', /base: one of/],
    ['mappings: { x: { fields: { msg: m } } }', /unknown field "msg"/],
    ['mappings: { x: { fields: { host: h } } }', /message: required/],
    ['mappings: { "Bad Name": { base: vector } }', /a name is/],
    ['mappings: { x: { base: vector, dedupe: yes please } }', /dedupe: true or false/],
  ] as const) {
    it(`refuses ${text}`, () => assert.throws(() => parseMappingsFile(text, 'm.yaml'), why));
  }
});
