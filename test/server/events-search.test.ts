import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event, type TestServer, testServer } from '../support/test-server.js';

/** Search by event time, prefixes, actor name, ip and date-only bounds (docs/api.md). */
describe('HTTP API: event search', () => {
  let t: TestServer;
  let app: { authorization: string };
  const get = (url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const actorsOf = async (qs: string) => {
    const res = await get(`/api/v1/events?source=hr-app&${qs}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().entries.map((e: { record: { actor: { id: string } } }) => e.record.actor.id);
  };

  before(async () => {
    t = await testServer();
    app = await t.ingestKey('hr-app');
    // An import of last month's events, oldest arriving last.
    const events = [
      event({ time: '2026-10-03T23:30:00Z', actor: { id: 'u-3', name: 'Cy', ip: '2001:db8::3' } }),
      event({ time: '2026-10-03T08:00:00Z', actor: { id: 'u-2', name: 'Bo', ip: '10.1.0.2' } }),
      event({
        time: '2026-10-02T12:00:00Z',
        actor: { id: 'u-1', name: 'Ada', ip: '10.0.0.1' },
        action: 'invoice.read',
        target: { id: 'i-100', type: 'invoice' },
      }),
      event({ time: '2026-10-01T12:00:00Z', actor: { id: 'u-1', name: 'Ada', ip: '192.168.0.1' } }),
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...app, 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    assert.equal(res.statusCode, 201, res.body);
  });
  after(async () => t.close());

  it('filters and orders by the source time, newest first, and says which order it used', async () => {
    const res = (await get('/api/v1/events?source=hr-app&time_from=2026-10-02T00:00:00Z')).json();
    assert.equal(res.order, 'time');
    assert.deepEqual(
      res.entries.map((e: { record: { time: string } }) => e.record.time),
      ['2026-10-03T23:30:00.000Z', '2026-10-03T08:00:00.000Z', '2026-10-02T12:00:00.000Z'],
    );
    // Without an event-time bound the order stays arrival (received_at), as before.
    assert.equal((await get('/api/v1/events?source=hr-app')).json().order, 'received');
    assert.deepEqual(await actorsOf('order=time'), ['u-3', 'u-2', 'u-1', 'u-1']);
  });

  it('reads a date alone as that whole UTC day, at either end', async () => {
    assert.deepEqual(await actorsOf('time_from=2026-10-03&time_to=2026-10-03'), ['u-3', 'u-2']);
    assert.deepEqual(await actorsOf('time_to=2026-10-01'), ['u-1']);
    const bad = await get('/api/v1/events?time_from=2026-02-30');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, 'time_from');
  });

  it('pages by event time with cursors that lose and repeat nothing', async () => {
    const seen: string[] = [];
    let url = '/api/v1/events?source=hr-app&order=time&limit=1';
    for (let i = 0; i < 10; i++) {
      const page = (await get(url)).json();
      for (const e of page.entries) seen.push(e.record.time);
      if (page.next_cursor === null) break;
      url = `/api/v1/events?source=hr-app&order=time&limit=1&cursor=${page.next_cursor}`;
    }
    assert.equal(seen.length, 4);
    assert.deepEqual([...seen].sort().reverse(), seen);
    const first = (await get('/api/v1/events?source=hr-app&order=time&limit=1')).json();
    const mixed = await get(`/api/v1/events?source=hr-app&limit=1&cursor=${first.next_cursor}`);
    assert.equal(mixed.statusCode, 400, 'a time cursor in a received-order search');
    assert.equal(mixed.json().error.path, 'cursor');
  });

  it('matches action and target prefixes, actor names and ip addresses or networks', async () => {
    assert.deepEqual(await actorsOf('action=invoice.*'), ['u-1']);
    assert.deepEqual(await actorsOf('target=i-*'), ['u-1']);
    assert.deepEqual(await actorsOf('target=c-9*&order=time'), ['u-3', 'u-2', 'u-1']);
    assert.deepEqual(await actorsOf('actor_name=Ada'), ['u-1', 'u-1']);
    assert.deepEqual(await actorsOf('ip=10.0.0.0/8'), ['u-1', 'u-2']);
    assert.deepEqual(await actorsOf('ip=10.0.0.1'), ['u-1']);
    assert.deepEqual(await actorsOf('ip=2001:db8::/32'), ['u-3']);
    // Long values are fine (and audited) up to the parameter's own limit.
    assert.deepEqual(await actorsOf(`actor=${'x'.repeat(250)}`), []);
    for (const [qs, path] of [
      ['ip=10.0.0.0/33', 'ip'],
      ['ip=not-an-ip', 'ip'],
      ['action=cust*omer.*', 'action'],
      ['time_from=2026-10-03&time_to=2026-10-01', 'time_from'],
      ['from=2026-10-03&received_from=2026-10-01', 'from'],
    ]) {
      const res = await get(`/api/v1/events?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error.path, path, qs);
    }
  });

  it('says why a source filter can never match, the same for unknown and out-of-scope sources', async () => {
    const reader = await t.principal({ roles: ['auditor'], sources: ['billing-*'] });
    const unknown = (await get('/api/v1/events?source=no-such-app', reader.headers)).json();
    const hidden = (await get('/api/v1/events?source=hr-app', reader.headers)).json();
    assert.deepEqual(unknown.entries, []);
    assert.match(unknown.never_matches, /no events from source "no-such-app"/);
    assert.equal(hidden.never_matches.replace('hr-app', 'no-such-app'), unknown.never_matches);
    assert.equal((await get('/api/v1/events?source=hr-app')).json().never_matches, undefined);
  });

  it('records the new filters in the self-audit of the search', async () => {
    await get('/api/v1/events?actor_name=Ada&ip=10.0.0.0/8&time_from=2026-10-01&action=invoice.*');
    const audit = (
      await get('/api/v1/events?source=evident&action=audit_log.search&limit=1')
    ).json();
    const details = audit.entries[0].record.details;
    assert.equal(details.actor_name, 'Ada');
    assert.equal(details.ip, '10.0.0.0/8');
    assert.equal(details.time_from, '2026-10-01');
    assert.equal(details.action, 'invoice.*');
    assert.equal(details.order, 'time');
  });

  it('records a declared backfill in the record and flags it historical and late, never skewed', async () => {
    const post = (qs: string, body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/events${qs}`,
        headers: { ...app, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const old = event({ time: '2026-09-01T10:00:00Z', actor: { id: 'u-backfill' } });
    const res = await post('?historical=true', old);
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().entries[0].id;
    const stored = (await get(`/api/v1/events/${id}`)).json();
    assert.equal(stored.record.historical, true);
    assert.deepEqual(stored.flags, ['historical', 'late']);
    const live = (await post('', { ...old, actor: { id: 'u-undeclared' } })).json();
    const undeclared = (await get(`/api/v1/events/${live.entries[0].id}`)).json();
    assert.equal(undeclared.record.historical, undefined);
    assert.deepEqual(undeclared.flags, ['late', 'clock_skew']);
    for (const [qs, body, path] of [
      ['?historical=yes', old, 'historical'],
      ['', { ...old, historical: true }, 'historical'],
    ] as const) {
      const bad = await post(qs, body);
      assert.equal(bad.statusCode, 400, qs);
      assert.match(JSON.stringify(bad.json().error), new RegExp(path));
    }
  });
});
