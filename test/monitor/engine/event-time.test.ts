import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubmittedRecord } from '../../../src/core/record/types.js';
import { loadPack } from '../../../src/monitor/packs/packs.js';
import { STORES } from '../../support/stores.js';
import { drain, type MonitorLog, monitorLog, RecordingSink } from './support.js';

const MIN = 60_000;
const PACK_RULES = ['iso.restricted-off-hours', 'iso.sign-in-after-failures'];

const WEEK = 7 * 24 * 60 * MIN;

/**
 * Last month's events, as a source would send them: failed sign-ins then a success at
 * 03:00 on a Saturday, and restricted data read at 02:00 on a Sunday; `weeksLater` moves
 * them to the same hours of a later weekend.
 */
function lastMonth(weeksLater = 0): SubmittedRecord[] {
  const at = (iso: string) => new Date(Date.parse(iso) + weeksLater * WEEK).toISOString();
  const signIn = (time: string, outcome: 'failure' | 'success') =>
    ({ time: at(time), actor: { id: 'u-9' }, action: 'user.sign_in', outcome }) as SubmittedRecord;
  return [
    signIn('2026-10-10T03:00:00Z', 'failure'),
    signIn('2026-10-10T03:01:00Z', 'failure'),
    signIn('2026-10-10T03:02:00Z', 'failure'),
    signIn('2026-10-10T03:03:00Z', 'success'),
    {
      time: at('2026-10-11T02:00:00Z'),
      actor: { id: 'u-9' },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-1', sensitivity: 'restricted' },
      outcome: 'success',
    } as SubmittedRecord,
  ];
}

async function withPack(log: MonitorLog): Promise<RecordingSink> {
  const pack = loadPack('iso27001');
  await log.setRules(pack.text, 'pack');
  const sink = new RecordingSink();
  return sink;
}

const ruleIds = (sink: RecordingSink) =>
  [...new Set([...sink.created.values()].map((a) => a.ruleId))].sort();

for (const factory of STORES) {
  describe(`event time in the rules (${factory.name})`, () => {
    it('the same events raise both pack alerts when they happen live', async () => {
      const log = await monitorLog(factory);
      try {
        const sink = await withPack(log);
        const engine = log.engine({ sink });
        await engine.step();
        // Control: the same weekend pattern after the log's start (2026-11-28/29), each event
        // arriving when it happens: these two rules must fire.
        for (const record of lastMonth(7)) {
          log.clock.set(Date.parse(record.time));
          await log.sequencer.append([record], 'app');
        }
        await drain(engine);
        assert.deepEqual(ruleIds(sink), PACK_RULES);
      } finally {
        await log.dispose();
      }
    });

    for (const historical of [false, true]) {
      it(`importing last month's events ${historical ? 'declared as a backfill' : 'without a flag (late)'} raises no alert`, async () => {
        const log = await monitorLog(factory);
        try {
          const sink = await withPack(log);
          const engine = log.engine({ sink });
          await engine.step();
          // The import runs today (a Monday 10:00 UTC, working time).
          await log.sequencer.append(lastMonth(), 'app', { historical });
          await drain(engine);
          assert.deepEqual(ruleIds(sink), []);
          // Live events afterwards are still judged: the import left no state behind that
          // hides them or fires with them.
          log.clock.set(Date.parse('2026-11-29T02:00:00Z'));
          await log.sequencer.append(
            [
              {
                time: new Date(log.clock.now()).toISOString(),
                actor: { id: 'u-9' },
                action: 'customer.read',
                target: { type: 'customer', id: 'c-1', sensitivity: 'restricted' },
                outcome: 'success',
              } as SubmittedRecord,
            ],
            'app',
          );
          await drain(engine);
          assert.deepEqual(ruleIds(sink), ['iso.restricted-off-hours']);
        } finally {
          await log.dispose();
        }
      });
    }

    it('a late entry counts in a window with timely ones but never fires it on its own', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(`rules:
  - id: failed
    title: Failed sign-ins
    severity: high
    match: { action: auth.sign_in, outcome: failure }
    threshold: { count: 3, window: 10m, group_by: [actor.id] }
`);
        const sink = new RecordingSink();
        const engine = log.engine({ sink, lateAfterMs: MIN });
        await engine.step();
        const failureAt = (ms: number, actor: string) =>
          ({
            time: new Date(ms).toISOString(),
            actor: { id: actor },
            action: 'auth.sign_in',
            outcome: 'failure',
          }) as SubmittedRecord;
        const now = log.clock.now();
        // alice: two late failures (5 min old), then a timely one: the window holds three.
        await log.sequencer.append(
          [failureAt(now - 5 * MIN, 'alice'), failureAt(now - 4 * MIN, 'alice')],
          'app',
        );
        await log.sequencer.append([failureAt(now, 'alice')], 'app');
        // bob: two timely failures, then a late third: it completes the count but is late.
        await log.sequencer.append([failureAt(now, 'bob'), failureAt(now, 'bob')], 'app');
        await log.sequencer.append([failureAt(now - 3 * MIN, 'bob')], 'app');
        await drain(engine);
        const groups = [...sink.created.values()].map((a) => a.group?.['actor.id']);
        assert.deepEqual(groups, ['alice']);
        // bob's next timely failure fires with the late one still counted.
        log.clock.advance(MIN);
        await log.sequencer.append([failureAt(log.clock.now(), 'bob')], 'app');
        await drain(engine);
        assert.deepEqual(
          [...sink.created.values()].map((a) => a.group?.['actor.id']),
          ['alice', 'bob'],
        );
      } finally {
        await log.dispose();
      }
    });
  });
}
