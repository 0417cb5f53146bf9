import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ALL_SOURCES, scopeOf } from '../../src/access/authorization/source-scope.js';
import { type ReportRequest, ReportService } from '../../src/evidence/report-service.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { ManualClock } from '../../src/util/clock.js';
import { tempDir } from '../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { fillReportLog, REPORT_START_MS } from './report-log.js';

const DAY = { fromMs: REPORT_START_MS - 9 * 3_600_000, toMs: REPORT_START_MS + 15 * 3_600_000 };
const BILLING = scopeOf([['billing-*']]);

/** Reports from the log as of one checkpoint, through a reader's scope, on both stores. */
for (const kind of ['sqlite', ...(PG_ENABLED ? ['postgresql'] : [])]) {
  describe(`reports on ${kind}`, () => {
    let dir: string;
    let log: OpenLog;
    let drop = async () => {};
    let reports: ReportService;
    const generate = (r: Partial<ReportRequest> & Pick<ReportRequest, 'kind'>) =>
      reports.generate({ ...DAY, filters: {}, scope: ALL_SOURCES, ...r });

    before(async () => {
      dir = tempDir('evident-reports-');
      let databaseUrl: string | undefined;
      if (kind === 'postgresql') {
        const schema = await freshPgSchema();
        databaseUrl = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
        drop = () => schema.drop();
      }
      const clock = new ManualClock(REPORT_START_MS - 3_600_000);
      log = await openLog({
        dataDir: dir,
        origin: 'evident.test/reports',
        clock,
        ...(databaseUrl ? { databaseUrl } : {}),
      });
      await fillReportLog(log, clock);
      reports = new ReportService(log.store);
    });
    after(async () => {
      await log.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('states the checkpoint it was computed from and the seqs of the period', async () => {
      const head = (await log.store.head())!;
      const r = await generate({ kind: 'access' });
      assert.equal(r.heading.as_of.tree_size, head.size);
      assert.equal(r.heading.as_of.checkpoint, head.checkpoint.note);
      assert.equal(r.heading.period.end_seq, head.size);
      assert.equal(r.heading.events, head.size - r.heading.period.first_seq);
      assert.match(r.csv, new RegExp(`#as_of,tree_size=${head.size},root_hash=`));
      const day = r.activity.series.find((s) => s.events > 0)!;
      assert.equal(r.activity.bucket, 'hour');
      assert.equal(day.start, '2026-11-22T09:00:00.000Z');
    });

    it('narrows by person, target and source', async () => {
      const ada = await generate({ kind: 'access', filters: { person: 'Ada' } });
      const rows = ada.body.rows as { actor_id: string; events: number }[];
      assert.deepEqual(
        rows.map((x) => [x.actor_id, x.events]),
        [['u-123', 3]],
      );
      const hr = await generate({ kind: 'access', filters: { source: 'hr-app' } });
      // hr-app's own events, and the log's events about hr-app (its alert, its silence).
      const hrRows = hr.body.rows as { source: string; actor_id: string; target_id: string }[];
      assert.deepEqual(
        hrRows.filter((x) => x.source !== 'evident').map((x) => x.actor_id),
        ['u-77'],
      );
      assert.equal(
        hrRows.some((x) => x.target_id === 'al-billing'),
        false,
      );
      const rita = await generate({ kind: 'access-changes', filters: { target: 'rita' } });
      assert.deepEqual(
        (rita.body.changes as { action: string }[]).map((c) => c.action),
        ['principal.role_grant'],
      );
      await assert.rejects(generate({ kind: 'alert-handling', filters: { person: 'grace' } }), {
        reason: 'invalid_query',
      });
    });

    it('gives a billing-* reader only billing data', async () => {
      const access = await generate({ kind: 'access', scope: BILLING });
      const rows = access.body.rows as { source: string; target_id: string | null }[];
      // The log's own events about billing (its alert) stay; nothing of hr-app does.
      assert.deepEqual([...new Set(rows.map((x) => x.source))].sort(), ['billing-api', 'evident']);
      assert.equal(
        rows.some((x) => x.target_id === 'al-hr' || x.target_id === 'p-rita'),
        false,
      );
      const alerts = await generate({ kind: 'alert-handling', scope: BILLING });
      assert.deepEqual(
        (alerts.body.alerts as { alert_id: string }[]).map((a) => a.alert_id),
        ['al-billing'],
      );
      const changes = await generate({ kind: 'access-changes', scope: BILLING });
      assert.deepEqual(changes.body.changes, []);
      const coverage = await generate({ kind: 'coverage', scope: BILLING });
      assert.deepEqual(coverage.body.silences, []);
      assert.equal(
        (coverage.body.sources as { source: string }[]).some((s) => s.source === 'hr-app'),
        false,
      );
      assert.deepEqual(access.heading.scope, ['billing-*']);
    });

    it('reports alert handling and the server clock from the log', async () => {
      const alerts = await generate({ kind: 'alert-handling' });
      assert.deepEqual(alerts.body.by_rule, {
        'failed-sign-ins': { true_positive: 1 },
        'bulk-export': { unresolved: 1 },
      });
      assert.equal((alerts.body.mtta_ms as { mean: number }).mean, 4 * 60_000);
      assert.equal((alerts.body.mttr_ms as { mean: number }).mean, 20 * 60_000);
      const coverage = await generate({ kind: 'coverage' });
      const clock = coverage.body.server_clock as {
        observations: { synchronized: boolean; method: string }[];
        unsynchronized: number;
      };
      assert.equal(clock.unsynchronized, 1);
      assert.equal(clock.observations[0]!.method, 'timedatectl');
    });

    it('pairs review openings with their sign-offs: done, missed, not yet due', async () => {
      const r = await generate({ kind: 'reviews' });
      assert.deepEqual(r.body.counts, { done: 1, late: 0, missed: 1, pending: 1 });
      assert.equal(r.body.findings, 1);
      const rows = r.body.reviews as { review_id: string; signed_off_by: string; seqs: number[] }[];
      const done = rows.find((x) => x.review_id === 'rv-1')!;
      assert.equal(done.signed_off_by, 'grace');
      assert.equal(done.seqs.length, 2);
      await assert.rejects(generate({ kind: 'reviews', filters: { source: 'billing-api' } }), {
        reason: 'invalid_query',
      });
    });

    it('reads nothing past the checkpoint it states, and refuses an empty period', async () => {
      const before = await generate({ kind: 'access' });
      const later = await generate({ kind: 'access', fromMs: DAY.toMs, toMs: DAY.toMs + 1000 });
      assert.equal(later.heading.events, 0);
      assert.equal(later.heading.period.first_seq, before.heading.as_of.tree_size);
      await assert.rejects(generate({ kind: 'access', fromMs: DAY.toMs, toMs: DAY.fromMs }), {
        reason: 'empty_range',
      });
    });
  });
}
