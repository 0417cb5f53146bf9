/**
 * A purge run starts where the last one stopped (per policy), instead of scanning from seq 0;
 * a released hold makes its entries purgeable again, so it starts the scans over.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import type { OpenLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import type { LegalHold } from '../../src/retention/hold.js';
import { HOLD_RELEASE_ACTION, holdDetails } from '../../src/retention/hold-service.js';
import { PurgeRunner } from '../../src/retention/purge-runner.js';
import { releaseHold } from '../../src/store/tables/retention/legal-holds-table.js';
import type { ManualClock } from '../../src/util/clock.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { setThirtyDayPolicy } from '../support/retention-setup.js';
import { LOG_KINDS, makeArchiveLog } from './archive/archive-log.js';

const DAY_MS = 86_400_000;
const OPERATOR = { kind: 'operator', id: 'test' } as const;

for (const kind of LOG_KINDS) {
  describe(`purge runs resume from a per-policy bookmark (${kind})`, () => {
    let log: OpenLog;
    let clock: ManualClock;
    let audit: SelfAudit;
    let dispose: () => Promise<void>;
    let runner: PurgeRunner;
    const hold: LegalHold = {
      id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8D',
      matter: 'case 11',
      reason: 'test',
      source: null,
      actorId: 'u-held',
      targetId: null,
      fromMs: null,
      toMs: null,
      placedAtMs: 0,
      placedBy: 'test',
      releasedAtMs: null,
      releasedBy: null,
      version: 1,
    };
    const held: number[] = [];
    const other: number[] = [];

    const append = async (actor: string) => {
      const record = validateSubmittedRecord(
        {
          time: new Date(clock.now()).toISOString(),
          actor: { id: actor },
          action: 'customer.read',
          outcome: 'success',
        },
        '$',
        { boundSource: 'billing' },
      );
      const seq = (await log.sequencer.append([record], 'billing')).entries[0]!.seq;
      (actor === 'u-held' ? held : other).push(seq);
    };
    const payload = async (seq: number) => (await log.store.entryBySeq(seq))!.record;

    before(async () => {
      ({ log, clock, dispose } = await makeArchiveLog(kind, 'bookmark.test', 0));
      audit = new SelfAudit(log.sequencer, log.origin, clock);
      hold.placedAtMs = clock.now();
      await setThirtyDayPolicy(audit, clock.now(), { holds: [hold] });
      for (let i = 0; i < 4; i++) {
        await append('u-held');
        await append('u-other');
      }
      runner = new PurgeRunner({ store: log.store, audit, clock, batchSize: 3 });
    });
    after(async () => dispose());

    it('the next run starts past what the last one decided, held entries included', async () => {
      assert.equal(runner.scanStarts().get('*'), undefined, 'nothing is old enough yet');
      assert.equal((await runner.runOnce()).purged, 0);
      assert.equal(runner.scanStarts().get('*'), undefined);

      clock.advance(40 * DAY_MS);
      const first = await runner.runOnce();
      assert.equal(first.purged, other.length);
      const last = Math.max(...held, ...other);
      assert.equal(runner.scanStarts().get('*'), last + 1);
      for (const seq of held) assert.notEqual(await payload(seq), '', `held ${seq} kept`);

      // Newer entries: the next run looks only at them, and purges them once old enough.
      await append('u-other');
      await append('u-held');
      assert.equal((await runner.runOnce()).purged, 0, 'not old enough yet');
      assert.equal(runner.scanStarts().get('*'), last + 1, 'a bookmark never passes a young entry');
      clock.advance(40 * DAY_MS);
      assert.equal((await runner.runOnce()).purged, 1);
      assert.ok(runner.scanStarts().get('*')! > Math.max(...held, ...other));
    });

    it('a released hold makes its entries purgeable again: the scan starts over', async () => {
      await audit.recordWithin(async (tx) => {
        assert.ok(await releaseHold(tx, hold, 'test', clock.now()));
        return {
          events: [
            { principal: OPERATOR, action: HOLD_RELEASE_ACTION, details: holdDetails(hold) },
          ],
          result: undefined,
        };
      });
      const run = await runner.runOnce();
      assert.equal(run.purged, held.length, 'every entry the hold kept, behind the bookmark');
      for (const seq of held) assert.equal(await payload(seq), '', `released ${seq} purged`);
      assert.deepEqual((await verifyStore(log.store)).problems, []);
    });
  });
}
