import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Grant } from '../../../src/access/principal.js';
import { formatVerifierKey } from '../../../src/core/note.js';
import {
  type SourceHealth,
  startSourceHealth,
} from '../../../src/monitor/sources/source-health.js';
import { buildApp } from '../../../src/server/app.js';
import {
  ADMIN_TOKEN,
  event,
  START_MS,
  type TestServer,
  tempDir,
  testServer,
} from '../../support/test-server.js';
import { auditFor, Feeder, ingest, MemorySink, selfEvents } from './support.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET/PUT /api/v1/sources', () => {
  let t: TestServer;
  let health: SourceHealth;
  let feeder: Feeder;
  let sink: MemorySink;
  let billing: { authorization: string; id: string };
  let hr: { authorization: string; id: string };
  const tokens = new Map<string, { authorization: string }>();
  const get = (url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const put = (url: string, body: unknown, headers: Record<string, string> = t.admin) =>
    t.app.inject({
      method: 'PUT',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  before(async () => {
    t = await testServer();
    sink = new MemorySink();
    health = startSourceHealth({
      store: t.log.store,
      sink,
      audit: auditFor(t),
      clock: t.clock,
      schedule: false,
    });
    feeder = new Feeder(t.log.store, health.observer);
    billing = await t.ingestKey('billing-api');
    hr = await t.ingestKey('hr-api');
    const tokenFor = async (name: string, grants: Grant[]) => {
      const { authorization } = await t.principal({
        id: `acct-${name}`,
        name,
        roles: grants,
        tokenTtlMs: 1000 * DAY,
      });
      tokens.set(name, { authorization });
    };
    await tokenFor('billing-reviewer', [{ role: 'reviewer', sources: ['billing-*'] }]);
    await tokenFor('hr-auditor', [{ role: 'auditor', sources: ['hr-api'] }]);
    await tokenFor('admin-only', [{ role: 'admin' }]);
  });
  after(async () => {
    await health.stop();
    await t.close();
  });

  it('lists a source from its first event, with last event, rate and skew', async () => {
    t.clock.set(START_MS + 10_000);
    // Two events a few seconds off, one a day behind (the source's clock is wrong).
    await ingest(t, billing, event({ time: iso(START_MS + 8000) }));
    await ingest(t, billing, event({ time: iso(START_MS + 7000) }));
    const last = await ingest(t, billing, event({ time: iso(START_MS + 10_000 - DAY) }));
    await feeder.feed();

    const res = await get('/api/v1/sources/billing-api');
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json();
    assert.equal(s.name, 'billing-api');
    assert.equal(s.origin, 'seen');
    assert.equal(s.status, 'ok');
    assert.equal(s.expected_max_silence, '1h');
    assert.equal(s.expected_max_silence_is_default, true);
    assert.deepEqual(s.last_event, {
      seq: last.seq,
      received_at: iso(START_MS + 10_000),
      time: iso(START_MS + 10_000 - DAY),
    });
    assert.deepEqual(s.events, { total: 3, last_hour: 3, last_24h: 3, per_minute_last_hour: 0.05 });
    assert.equal(s.clock_skew.count, 3);
    assert.equal(s.clock_skew.min_ms, 2000);
    assert.equal(s.clock_skew.max_ms, DAY);
    assert.equal(s.clock_skew.beyond_threshold, 1);
    assert.equal(s.clock_skew.threshold_ms, 300_000);
    assert.ok(s.clock_skew.p50_ms >= 3000 && s.clock_skew.p50_ms <= 5000, s.clock_skew.p50_ms);
    // Rank 2.85 of 3 lies in the bucket of the day-old event: (12 h, 1 d], interpolated.
    assert.ok(s.clock_skew.p95_ms > DAY / 2 && s.clock_skew.p95_ms <= DAY, s.clock_skew.p95_ms);

    // The skewed event raised one alert for this source and hour, naming it.
    assert.equal(sink.alerts.length, 1);
    assert.equal(sink.alerts[0]!.ruleId, 'source.clock_skew');
    assert.deepEqual(sink.alerts[0]!.seqs, [last.seq]);
    assert.equal(sink.alerts[0]!.key, `source.clock_skew:billing-api:${START_MS / 3_600_000}`);

    // More skewed events in the same hour: no second alert. The next hour: one more.
    await ingest(t, billing, event({ time: iso(START_MS - DAY) }));
    await feeder.feed();
    assert.equal(sink.alerts.length, 1);
    t.clock.set(START_MS + 3_600_000);
    await ingest(t, billing, event({ time: iso(START_MS - DAY) }));
    await feeder.feed();
    assert.equal(sink.alerts.length, 2);

    // An hour on, the first three left the last-hour count but not the last day's.
    const later = (await get('/api/v1/sources/billing-api')).json();
    assert.equal(later.events.total, 5);
    assert.equal(later.events.last_hour, 1);
    assert.equal(later.events.last_24h, 5);
  });

  it('flags skewed entries on read, outside the record, and leaves the others alone', async () => {
    const far = await ingest(t, billing, event({ time: iso(t.clock.now() - 2 * DAY) }));
    const near = await ingest(t, billing, event({ time: iso(t.clock.now() - 60_000) }));
    const farRes = (await get(`/api/v1/events/${far.id}`)).json();
    // Two days behind: beyond the late bound (15 min) as well as the skew limit.
    assert.deepEqual(farRes.flags, ['late', 'clock_skew']);
    assert.equal(farRes.skew_ms, 2 * DAY);
    assert.equal(farRes.record.flags, undefined);
    assert.equal(farRes.record.skew_ms, undefined);
    const nearRes = (await get(`/api/v1/events/${near.id}`)).json();
    assert.equal(nearRes.flags, undefined);
    assert.equal(nearRes.skew_ms, undefined);
    assert.deepEqual(Object.keys(nearRes), ['seq', 'leaf_hash', 'record']);

    // Search and export pages carry the same flags.
    const search = (await get('/api/v1/events?source=billing-api&limit=2')).json();
    assert.deepEqual(
      search.entries.map((e: { flags?: string[] }) => e.flags ?? null),
      [null, ['late', 'clock_skew']],
    );
    const page = (await get(`/api/v1/log/entries?start=${far.seq}&end=${near.seq + 1}`)).json();
    assert.deepEqual(page.entries[0].flags, ['late', 'clock_skew']);

    // The limit is the server's setting: at 30 s, a minute off is flagged too.
    const strict = buildApp({
      store: t.log.store,
      secrets: t.secrets,
      sequencer: t.log.sequencer,
      origin: t.log.origin,
      verifierKey: formatVerifierKey(t.log.signer.name, t.log.signer.publicKey),
      adminToken: { matches: (token) => token === ADMIN_TOKEN },
      clock: t.clock,
      audit: auditFor(t),
      sourceSettings: { ...health.settings, maxClockSkewMs: 30_000 },
    });
    try {
      const res = await strict.inject({ url: `/api/v1/events/${near.id}`, headers: t.admin });
      assert.deepEqual(res.json().flags, ['clock_skew']);
      assert.equal(res.json().skew_ms, 60_000);
    } finally {
      await strict.close();
    }
  });

  it('declares a source with PUT (admin), audited as source.update', async () => {
    const res = await put('/api/v1/sources/payroll', {
      expected_max_silence: '15m',
      description: 'Payroll batch jobs',
    });
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json();
    assert.equal(s.origin, 'declared');
    assert.equal(s.expected_max_silence, '15m');
    assert.equal(s.expected_max_silence_is_default, false);
    assert.equal(s.description, 'Payroll batch jobs');
    assert.equal(s.last_event, null);

    const off = (await put('/api/v1/sources/payroll', { expected_max_silence: null })).json();
    assert.equal(off.expected_max_silence, null);
    assert.equal(off.status, 'unmonitored');
    assert.equal(off.description, null);

    const updates = await selfEvents(t.log.store, 'source.update');
    assert.equal(updates.length, 2);
    assert.equal(updates[0]!.target.id, 'payroll');
    assert.deepEqual(updates[0]!.details, { created: true, expected_max_silence: '15m' });
    assert.deepEqual(updates[1]!.details, {
      created: false,
      expected_max_silence: null,
      previous_max_silence: '15m',
    });
  });

  it('refuses bad declarations with a 400 naming what to fix', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/v1/sources/payroll', { expected_max_silence: '15 minutes' }, 'expected_max_silence'],
      ['/api/v1/sources/payroll', { expected_max_silence: 900 }, 'expected_max_silence'],
      ['/api/v1/sources/payroll', { expected_max_silence: '0s' }, 'expected_max_silence'],
      ['/api/v1/sources/payroll', { max_silence: '15m' }, 'max_silence'],
      ['/api/v1/sources/payroll', { description: 7 }, 'description'],
      ['/api/v1/sources/bad%20name', {}, 'name'],
      ['/api/v1/sources/payroll', [], '$'],
    ];
    for (const [url, body, path] of cases) {
      const res = await put(url, body);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().error.path, path, res.body);
    }
    const typo = await put('/api/v1/sources/payroll', { expected_max_silenc: '1h' });
    assert.match(typo.json().error.message, /did you mean "expected_max_silence"/);
    assert.equal(typo.json().error.reason, 'unknown_field');
  });

  it('shows scoped readers only their sources; others are a 404', async () => {
    await ingest(t, hr, event());
    await feeder.feed();
    const names = async (who: string) =>
      (await get('/api/v1/sources', tokens.get(who)))
        .json()
        .sources.map((s: { name: string }) => s.name)
        .sort();
    assert.deepEqual(await names('billing-reviewer'), ['billing-api']);
    assert.deepEqual(await names('hr-auditor'), ['hr-api']);
    assert.deepEqual(await names('admin-only'), ['billing-api', 'evident', 'hr-api', 'payroll']);

    const reviewer = tokens.get('billing-reviewer')!;
    assert.equal((await get('/api/v1/sources/billing-api', reviewer)).statusCode, 200);
    const hidden = await get('/api/v1/sources/hr-api', reviewer);
    const unknown = await get('/api/v1/sources/no-such-source', reviewer);
    assert.equal(hidden.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    assert.equal(hidden.json().error.code, unknown.json().error.code);

    assert.equal((await put('/api/v1/sources/billing-api', {}, reviewer)).statusCode, 403);
    assert.equal((await get('/api/v1/sources', billing)).statusCode, 403);
  });

  it('lists a source when its ingest key is made, before any event', async () => {
    const key = await t.ingestKey('crm-api');
    await health.onIngestKeyCreated((await t.log.store.ingestKey(key.id))!);
    const s = (await get('/api/v1/sources/crm-api')).json();
    assert.equal(s.origin, 'ingest_key');
    assert.equal(s.last_event, null);
    assert.equal(s.status, 'ok');
  });

  it('describes the sources API in the OpenAPI document, every reference resolving', async () => {
    const doc = (await get('/api/v1/openapi.json', {})).json();
    assert.ok(doc.paths['/api/v1/sources'].get);
    assert.ok(doc.paths['/api/v1/sources/{name}'].get);
    assert.ok(doc.paths['/api/v1/sources/{name}'].put);
    assert.ok(doc.components.schemas.Entry.properties.flags);
    const refs = JSON.stringify(doc).match(/"#\/components\/[^"]+"/g) ?? [];
    for (const r of new Set(refs)) {
      const [, , group, name] = JSON.parse(r).split('/');
      assert.ok(doc.components[group][name], `unresolved ${r}`);
    }
  });

  it('reports whether the host clock is synchronised in /healthz', async () => {
    const res = await get('/healthz', {});
    assert.equal(res.statusCode, 200);
    const clock = res.json().clock;
    assert.ok([true, false, null].includes(clock.synchronized), res.body);
    assert.equal(typeof clock.method, 'string');
    assert.match(clock.checked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    if (clock.synchronized === null) assert.equal(typeof clock.reason, 'string');
  });

  it('keeps /healthz up when the clock check itself fails', async () => {
    const app: FastifyInstance = buildApp({
      store: t.log.store,
      secrets: t.secrets,
      sequencer: t.log.sequencer,
      origin: t.log.origin,
      verifierKey: formatVerifierKey(t.log.signer.name, t.log.signer.publicKey),
      adminToken: undefined,
      clock: t.clock,
      audit: auditFor(t),
      clockSync: { status: () => Promise.reject(new Error('probe exploded')) },
    });
    try {
      const res = await app.inject({ url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'ok');
      assert.equal(res.json().clock.synchronized, null);
      assert.match(res.json().clock.reason, /probe exploded/);
    } finally {
      await app.close();
    }
  });
});

describe('source statistics survive a restart', () => {
  it('shows the same numbers from a new process and counts on from there', async () => {
    const dir = tempDir();
    const first = await testServer({ dir });
    const key = await first.ingestKey('billing-api');
    const start = (t: TestServer) =>
      startSourceHealth({
        store: t.log.store,
        sink: new MemorySink(),
        audit: auditFor(t),
        clock: t.clock,
        schedule: false,
      });
    const h1 = start(first);
    const feeder1 = new Feeder(first.log.store, h1.observer);
    for (let i = 0; i < 3; i++) await ingest(first, key, event());
    await feeder1.feed();
    const before = (
      await first.app.inject({ url: '/api/v1/sources/billing-api', headers: first.admin })
    ).json();
    await h1.stop();
    await first.close();

    const second = await testServer({ dir });
    try {
      const h2 = start(second);
      const after = (
        await second.app.inject({ url: '/api/v1/sources/billing-api', headers: second.admin })
      ).json();
      assert.deepEqual(after, before);
      assert.equal(after.events.total, 3);

      // The engine re-feeds from its saved position, possibly behind the counts: no double count.
      const feeder2 = new Feeder(second.log.store, h2.observer);
      await ingest(second, key, event());
      await feeder2.feed();
      const next = (
        await second.app.inject({ url: '/api/v1/sources/billing-api', headers: second.admin })
      ).json();
      assert.equal(next.events.total, 4);
      await h2.stop();
    } finally {
      await second.close();
    }
  });
});
