import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toEcs } from '../../src/connect/siem/ecs.js';
import { toOcsf } from '../../src/connect/siem/ocsf.js';
import { canonicalize } from '../../src/core/canonical-json.js';
import type { EventRecord } from '../../src/core/record/types.js';
import { validateOcsf } from './ocsf-validator.js';

function record(overrides: Partial<EventRecord>): EventRecord {
  return {
    id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
    time: '2026-11-22T09:14:03.120Z',
    received_at: '2026-11-22T09:14:03.131Z',
    source: 'billing-api',
    actor: { id: 'u-123', type: 'user', name: 'Ada', ip: '10.0.0.7', session: 's-1' },
    action: 'customer.read',
    target: { type: 'customer', id: 'c-9', sensitivity: 'restricted' },
    outcome: 'success',
    ...overrides,
  };
}

function entry(r: EventRecord) {
  return { seq: 7, leafHash: 'AAAA', record: r, canonical: canonicalize(r) };
}

/** One record per class and per shape the mapping branches on. */
const CASES: [string, Partial<EventRecord>, number, number][] = [
  ['api read', {}, 6003, 2],
  [
    'api with request and trace',
    {
      request: { id: 'r-1', method: 'GET', path: '/c/9', status: 200 },
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    },
    6003,
    2,
  ],
  [
    'api unknown verb, no target, no ip',
    { action: 'invoice.send', target: undefined, actor: { id: 'svc' } },
    6003,
    99,
  ],
  [
    'sign-in',
    { action: 'session.sign_in', category: 'authentication', target: undefined },
    3002,
    1,
  ],
  ['sign-out denied', { action: 'session.sign_out', outcome: 'denied', reason: 'locked' }, 3002, 2],
  [
    'failed login by category',
    { action: 'sshd.password', category: 'authentication', outcome: 'failure' },
    3002,
    99,
  ],
  [
    'account disable',
    { action: 'principal.disable', target: { type: 'principal', id: 'p-2' } },
    3001,
    5,
  ],
  [
    'role grant',
    { action: 'principal.role_grant', target: { type: 'principal', id: 'p-2' } },
    3001,
    7,
  ],
  ['password change, no target', { action: 'user.password_change', target: undefined }, 3001, 3],
  [
    'ingest key create',
    { action: 'ingest_key.create', target: { type: 'ingest_key', id: 'k-1' } },
    3004,
    1,
  ],
  [
    'settings update, no target',
    { action: 'settings.update', target: undefined, severity: 'high' },
    3004,
    3,
  ],
  ['config category', { action: 'firewall.rule_add', category: 'config' }, 3004, 99],
  [
    'db query on a table',
    { action: 'db.query', target: { type: 'table', id: 'public.customers' }, reason: 'SELECT 1' },
    6005,
    4,
  ],
  [
    'db connect to a database',
    { action: 'db.connect', target: { type: 'database', id: 'shop' } },
    6005,
    3,
  ],
  ['db with details', { action: 'db.write', details: { rows: 3 }, severity: 'critical' }, 6005, 5],
];

describe('OCSF mapping, validated against the published OCSF 1.8.0 schema', () => {
  for (const [name, overrides, classUid, activityId] of CASES) {
    it(`${name} → class ${classUid}, activity ${activityId}, valid`, () => {
      const ocsf = toOcsf(entry(record(overrides)));
      assert.equal(ocsf.class_uid, classUid);
      assert.equal(ocsf.activity_id, activityId);
      assert.deepEqual(validateOcsf(ocsf), []);
    });
  }

  it('the validator itself finds what is wrong', () => {
    const ocsf = toOcsf(entry(record({})));
    const { api: _api, ...withoutApi } = ocsf;
    assert.ok(validateOcsf(withoutApi).includes('api: required'));
    assert.ok(validateOcsf({ ...ocsf, severity_id: 9 }).some((p) => p.startsWith('severity_id:')));
    assert.ok(
      validateOcsf({ ...ocsf, actor: { user: { uid: 1 } } }).some((p) =>
        p.startsWith('actor.user.uid'),
      ),
    );
    assert.ok(validateOcsf({ ...ocsf, bogus: 1 }).includes('bogus: not an attribute here'));
    assert.ok(validateOcsf({ ...ocsf, type_uid: 1 }).length > 0);
    assert.ok(validateOcsf({ ...ocsf, src_endpoint: {} }).some((p) => p.includes('at least one')));
  });

  it('keeps the canonical record, so a SIEM can recompute the leaf hash', () => {
    const r = record({});
    const ocsf = toOcsf(entry(r));
    assert.equal(ocsf.raw_data, canonicalize(r));
    assert.equal((ocsf.metadata as { sequence: number }).sequence, 7);
    assert.equal(ocsf.time, Date.parse(r.time));
  });
});

describe('ECS mapping', () => {
  it('maps outcome, user, source ip and the log position', () => {
    const ecs = toEcs(entry(record({ outcome: 'denied' }))) as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(ecs.event!.outcome, 'failure');
    assert.deepEqual(ecs.event!.type, ['access', 'denied']);
    assert.equal(ecs.event!.sequence, 7);
    assert.deepEqual(ecs.user, { id: 'u-123', name: 'Ada' });
    assert.deepEqual(ecs.source, { ip: '10.0.0.7' });
    assert.equal(ecs['@timestamp'] as unknown, '2026-11-22T09:14:03.120Z');
  });

  it('uses ECS categories per class', () => {
    const cat = (o: Partial<EventRecord>) =>
      (toEcs(entry(record(o))) as { event: { category: string[] } }).event.category;
    assert.deepEqual(cat({ action: 'session.sign_in' }), ['authentication']);
    assert.deepEqual(cat({ action: 'db.query' }), ['database']);
    assert.deepEqual(cat({ action: 'principal.disable' }), ['iam']);
    assert.deepEqual(cat({ action: 'ingest_key.create' }), ['configuration']);
  });
});
