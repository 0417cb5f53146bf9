import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/client/api-client.js';
import { PurgeRunner } from '../../src/retention/purge-runner.js';
import { reapplyRecordedPurges } from '../../src/retention/reapply-purges.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { purgePayloads } from '../../src/store/tables/retention/purged-payloads-table.js';
import { ManualClock } from '../../src/util/clock.js';
import { verifyRemote } from '../../src/verify/verify-remote.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { tamperedCopy } from '../support/processes.js';
import {
  call,
  event,
  type TestPrincipal,
  type TestServer,
  tempDir,
  testServer,
} from '../support/test-server.js';

const MONTH_MS = 30 * 86_400_000;

/**
 * The "done when", on a fake clock: an admin sets a 12-month minimum and a 36-month
 * maximum (a second admin approves, since that shortens "forever"), hr keeps 12 months, three
 * years of events arrive, and purges leave a log that still verifies, every removal explained.
 */
describe('retention across 37 months (fake clock)', () => {
  let t: TestServer;
  let a: TestPrincipal;
  let b: TestPrincipal;
  const dir = tempDir('evident-retention-');
  const seqs: { seq: number; id: string; source: string; month: number }[] = [];
  /** Stored rows before the purge: what a backup taken then would hold. */
  const backup: { seq: number; record: string; actorId: string; targetId: string | null }[] = [];
  let purgedCount = 0;

  before(async () => {
    t = await testServer({ dir });
    a = await t.principal({ roles: ['admin'] });
    b = await t.principal({ roles: ['admin'] });
  });
  let closed = false;
  after(async () => {
    if (!closed) await t.close();
  });

  const put = (by: TestPrincipal, body: unknown) =>
    call(t, 'PUT', '/api/v1/retention', by.headers, body);
  const approve = (id: string, by: TestPrincipal) =>
    call(t, 'POST', `/api/v1/approvals/${id}/approve`, by.headers);

  it('shortening needs a second admin; lengthening applies at once', async () => {
    const asked = await put(a, { source: '*', min: 'P12M', max: 'P36M', reason: 'policy 7' });
    assert.equal(asked.statusCode, 202, asked.body);
    const approval = asked.json().approval;
    assert.equal(approval.change, 'retention_shorten');
    assert.equal((await approve(approval.id, a)).statusCode, 403, 'the requester cannot approve');
    assert.equal((await call(t, 'GET', '/api/v1/retention', a.headers)).json().policies.length, 0);
    assert.equal((await approve(approval.id, b)).statusCode, 200);

    const hr = await put(b, { source: 'hr', max: 'P12M' });
    assert.equal(hr.statusCode, 202);
    assert.equal((await approve(hr.json().approval.id, a)).statusCode, 200);
    // A longer maximum is no shortening: it applies at once.
    const longer = await put(a, { source: 'hr', max: 'P13M' });
    assert.equal(longer.statusCode, 200, longer.body);

    const policies = (await call(t, 'GET', '/api/v1/retention', a.headers)).json().policies;
    assert.deepEqual(
      policies.map(
        (p: { source: string; min: string | null; max: string | null; updated_by: string }) => [
          p.source,
          p.min,
          p.max,
          p.updated_by,
        ],
      ),
      [
        // The requester set '*' (b only approved it); a lengthened hr at once.
        ['*', 'P12M', 'P36M', a.name],
        ['hr', null, 'P13M', a.name],
      ],
    );
    const bad = await put(a, { source: 'billing', min: 'P36M', max: 'P12M' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '$.max');
    const own = await put(a, { source: 'evident', max: 'P1M' });
    assert.equal(own.statusCode, 400);
  });

  it('purges past the maximum, keeps the rest, and verify explains every removal', async () => {
    const keys = { billing: await t.ingestKey('billing'), hr: await t.ingestKey('hr') };
    for (let month = 0; month <= 37; month++) {
      for (const source of ['billing', 'hr'] as const) {
        const res = await call(t, 'POST', '/api/v1/events', keys[source], event());
        assert.equal(res.statusCode, 201, res.body);
        const e = res.json().entries[0];
        seqs.push({ seq: e.seq, id: e.id, source, month });
      }
      t.clock.advance(MONTH_MS);
    }
    const runner = new PurgeRunner({
      store: t.log.store,
      audit: selfAudit(t),
      clock: t.clock,
      batchSize: 7,
    });
    const size = (await t.log.store.head())!.size;
    for await (const page of t.log.store.scanEntries(0, 1000)) {
      for (const e of page)
        if (e.seq < size)
          backup.push({ seq: e.seq, record: e.record, actorId: e.actorId, targetId: e.targetId });
    }
    const result = await runner.runOnce();
    purgedCount = result.purged;
    // Now ≈ 38 × 30 days after the first event; the 36-month default keeps billing's last 37.
    const now = t.clock.now();
    const start = Date.parse('2026-11-22T09:00:00.000Z');
    const expected = seqs.filter((s) => {
      const received = start + s.month * MONTH_MS;
      const months = s.source === 'hr' ? 13 : 36;
      const cutoff = new Date(now);
      cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
      return received < cutoff.getTime();
    });
    assert.ok(expected.length > 20, `expected purges: ${expected.length}`);
    assert.equal(result.purged, expected.length);
    assert.ok(result.policies.every((p) => p.purgeSeqs.length >= 1));
    assert.equal((await runner.runOnce()).purged, 0, 'a second run finds nothing left');

    const gone = expected[0]!;
    // Tokens made before three years passed have expired: a new auditor reads.
    const auditor = await t.principal({ roles: ['auditor'] });
    const readAsAuditor = await call(t, 'GET', `/api/v1/events/${gone.id}`, auditor.headers);
    assert.equal(readAsAuditor.statusCode, 410, readAsAuditor.body);
    assert.equal(readAsAuditor.json().error.reason, 'payload_purged');
    assert.match(readAsAuditor.json().error.message, /retention\.purge event at seq \d+/);
    const kept = seqs.filter((s) => !expected.includes(s)).at(-1)!;
    assert.equal(
      (await call(t, 'GET', `/api/v1/events/${kept.id}`, auditor.headers)).statusCode,
      200,
    );
    const search = await call(t, 'GET', '/api/v1/events?source=billing&limit=500', auditor.headers);
    assert.equal(
      search.json().entries.length,
      seqs.filter((s) => s.source === 'billing' && !expected.includes(s)).length,
    );
    const proof = await call(
      t,
      'GET',
      `/api/v1/log/proof/inclusion?seq=${gone.seq}`,
      auditor.headers,
    );
    assert.equal(proof.statusCode, 200, 'a purged entry still has an inclusion proof');

    const report = await verifyStore(t.log.store);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);

    // Over the API too (verify --url): purged entries come as record null with their leaf hash.
    const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const token = auditor.authorization.replace('Bearer ', '');
    const remote = await verifyRemote(new ApiClient({ baseUrl, token }), {});
    assert.deepEqual(remote.problems, []);
    assert.equal(remote.ok, true);
  });

  describe('verify names what retention did not explain', () => {
    const closedDir = async () => {
      if (!closed) {
        await t.close();
        closed = true;
      }
      return dir;
    };
    const verifyCopy = async (mutate: Parameters<typeof tamperedCopy>[1]) => {
      const copy = tamperedCopy(await closedDir(), mutate);
      const store = SqliteStore.open(join(copy, 'evident.db'));
      try {
        return await verifyStore(store);
      } finally {
        await store.close();
      }
    };

    it('a payload deleted without a purge event', async () => {
      const victim = seqs.at(-1)!.seq;
      const report = await verifyCopy((db) => {
        db.prepare("UPDATE entries SET record = '' WHERE seq = ?").run(victim);
      });
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'payload_missing');
      assert.equal(report.problems[0]!.seq, victim);
    });

    it('an edited purge event', async () => {
      const report = await verifyCopy((db) => {
        const row = db
          .prepare("SELECT seq, record FROM entries WHERE action = 'retention.purge' LIMIT 1")
          .get() as { seq: number; record: string };
        db.prepare('UPDATE entries SET record = ? WHERE seq = ?').run(
          row.record.replace('"count":', '"count":1'),
          row.seq,
        );
      });
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'leaf_mismatch');
      assert.match(report.problems[0]!.message, /does not hash to its leaf hash/);
    });

    it('payloads restored from a backup taken before the purge are purged again on start', async () => {
      const copy = tamperedCopy(await closedDir(), (db) => {
        // What a backup from before the purge brings back: the payloads (and no marks),
        // beside the log's purge events.
        db.exec('DROP TRIGGER IF EXISTS purged_payloads_no_delete');
        db.exec('DELETE FROM purged_payloads');
        const put = db.prepare(
          'UPDATE entries SET record = ?, actor_id = ?, target_id = ? WHERE seq = ?',
        );
        for (const row of backup) put.run(row.record, row.actorId, row.targetId, row.seq);
      });
      const store = SqliteStore.open(join(copy, 'evident.db'));
      try {
        assert.notEqual((await store.entryBySeq(seqs[0]!.seq))!.record, '');
        const result = await reapplyRecordedPurges(store, new ManualClock(Date.now()));
        assert.ok(result.events >= 2);
        assert.equal(result.purged, purgedCount);
        assert.equal((await store.entryBySeq(seqs[0]!.seq))!.record, '');
        assert.equal((await verifyStore(store)).ok, true);
        assert.equal((await reapplyRecordedPurges(store, new ManualClock(Date.now()))).purged, 0);
      } finally {
        await store.close();
      }
    });
  });
});

describe('a purge before the minimum', () => {
  it('is named by verify with the seq', async () => {
    const t = await testServer();
    try {
      const admin = await t.principal({ roles: ['admin'] });
      const second = await t.principal({ roles: ['admin'] });
      const asked = await call(t, 'PUT', '/api/v1/retention', admin.headers, {
        source: '*',
        min: 'P12M',
        max: 'P36M',
      });
      await call(
        t,
        'POST',
        `/api/v1/approvals/${asked.json().approval.id}/approve`,
        second.headers,
      );
      const key = await t.ingestKey('billing');
      const res = await call(t, 'POST', '/api/v1/events', key, event());
      const seq = res.json().entries[0].seq as number;
      t.clock.advance(MONTH_MS);
      // A faulty purger: its event claims the policy, but the entry is one month old.
      const purgeSeq = await selfAudit(t).record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: {
          policy_source: '*',
          min: 'P12M',
          max: 'P36M',
          archive: false,
          cutoff: new Date(t.clock.now()).toISOString(),
          ranges: [`${seq}-${seq}`],
          count: 1,
        },
      });
      await t.log.store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq, seqs: [seq], atMs: t.clock.now() }),
      );
      const report = await verifyStore(t.log.store);
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'purge_unjustified');
      assert.equal(report.problems[0]!.seq, seq);
      assert.match(report.problems[0]!.message, /before its minimum or maximum retention/);
    } finally {
      await t.close();
    }
  });
});

import { SelfAudit } from '../../src/log/self-audit.js';

function selfAudit(t: TestServer): SelfAudit {
  return new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
}
