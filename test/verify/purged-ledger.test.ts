/**
 * Verify keeps the purged entries it meets until the log's retention events are proven; with
 * millions of them that must not be millions of objects in memory. The ledger holds a bounded
 * buffer and spills the rest to a temp file, streamed back in seq order for the check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import type { OpenLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { PurgeRunner } from '../../src/retention/purge-runner.js';
import { purgePayloads } from '../../src/store/tables/retention/purged-payloads-table.js';
import type { ManualClock } from '../../src/util/clock.js';
import type { PurgedRow } from '../../src/verify/purge-check.js';
import { PurgedLedger } from '../../src/verify/purged-ledger.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { LOG_KINDS, makeArchiveLog } from '../retention/archive/archive-log.js';
import { setThirtyDayPolicy } from '../support/retention-setup.js';

const DAY_MS = 86_400_000;

describe('PurgedLedger', () => {
  it('holds at most its bound in memory and gives every row back in order', async () => {
    const ledger = new PurgedLedger(100);
    const rows: PurgedRow[] = [];
    for (let seq = 0; seq < 25_000; seq++) {
      const row: PurgedRow = {
        seq,
        source: seq % 3 === 0 ? 'hr' : 'billing',
        receivedAtMs: 1_700_000_000_000 + seq,
        actorId: `sha256:${seq.toString(16).padStart(64, '0')}`,
        targetId: seq % 2 === 0 ? null : `sha256:${'f'.repeat(64)}`,
      };
      rows.push(row);
      ledger.add(row);
    }
    assert.ok(ledger.peakInMemory <= 100, `peak ${ledger.peakInMemory}`);
    assert.ok(ledger.spilled >= 24_900, `spilled ${ledger.spilled}`);
    assert.equal(ledger.count, 25_000);
    const back: PurgedRow[] = [];
    for await (const row of ledger.rows()) back.push(row);
    assert.deepEqual(back, rows);
    ledger.close();
  });

  it('does not touch the disk while the rows fit', async () => {
    const ledger = new PurgedLedger(10);
    for (let seq = 0; seq < 9; seq++) ledger.add({ seq, source: 's', receivedAtMs: seq });
    assert.equal(ledger.spilled, 0);
    const seqs: number[] = [];
    for await (const row of ledger.rows()) seqs.push(row.seq);
    assert.deepEqual(seqs, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    ledger.close();
  });
});

for (const kind of LOG_KINDS) {
  describe(`verify of a log with many purged entries, bounded memory (${kind})`, () => {
    const PURGED = 1_200;
    const BOUND = 64;
    let log: OpenLog;
    let clock: ManualClock;
    let audit: SelfAudit;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ log, clock, dispose } = await makeArchiveLog(kind, 'ledger.test', 0));
      audit = new SelfAudit(log.sequencer, log.origin, clock);
      await setThirtyDayPolicy(audit, clock.now());
      for (let n = 0; n < PURGED; n += 200) {
        const records = Array.from({ length: 200 }, (_, i) =>
          validateSubmittedRecord(
            {
              time: new Date(clock.now()).toISOString(),
              actor: { id: `u-${(n + i) % 11}` },
              action: 'customer.read',
              outcome: 'success',
            },
            '$',
            { boundSource: 'billing' },
          ),
        );
        await log.sequencer.append(records, 'billing');
      }
      clock.advance(60 * DAY_MS);
      const runner = new PurgeRunner({ store: log.store, audit, clock, batchSize: 300 });
      assert.equal((await runner.runOnce()).purged, PURGED);
    });
    after(async () => dispose());

    it('verifies with at most the bound held in memory, every removal explained', async () => {
      let ledger: PurgedLedger | undefined;
      const report = await verifyStore(log.store, {
        purgedInMemory: BOUND,
        onPurgedLedger: (l) => {
          ledger = l;
        },
      });
      assert.deepEqual(report.problems, []);
      assert.deepEqual(report.purged, { entries: PURGED, purgeEvents: PURGED / 300 });
      assert.ok(ledger);
      assert.ok(ledger.peakInMemory <= BOUND, `peak ${ledger.peakInMemory} rows in memory`);
      assert.ok(ledger.spilled >= PURGED - BOUND, `spilled ${ledger.spilled}`);
    });

    it('still names an unjustified purge met after the spilled rows, ', async () => {
      const fresh = validateSubmittedRecord(
        {
          time: new Date(clock.now()).toISOString(),
          actor: { id: 'u-new' },
          action: 'customer.read',
          outcome: 'success',
        },
        '$',
        { boundSource: 'billing' },
      );
      const victim = (await log.sequencer.append([fresh], 'billing')).entries[0]!.seq;
      // A faulty purger: right policy, but the entry is a day old, far from its 30-day maximum.
      clock.advance(DAY_MS);
      const purgeSeq = await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: {
          policy_source: '*',
          min: null,
          max: 'P30D',
          archive: false,
          cutoff: new Date(clock.now() - 30 * DAY_MS).toISOString(),
          ranges: [`${victim}-${victim}`],
          count: 1,
        },
      });
      await log.store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq, seqs: [victim], atMs: clock.now() }),
      );
      const report = await verifyStore(log.store, {
        purgedInMemory: BOUND,
        onPurgedLedger: () => assert.fail('the check fails before it is done'),
      });
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'purge_unjustified');
      assert.equal(report.problems[0]!.seq, victim);
    });
  });
}
