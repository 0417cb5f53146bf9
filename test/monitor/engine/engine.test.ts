import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { engineStatus } from '../../../src/monitor/engine/engine-status.js';
import type { EvaluatorThread } from '../../../src/monitor/engine/evaluator-thread.js';
import { RecentEntries } from '../../../src/monitor/engine/recent-entries.js';
import { STORES } from '../../support/stores.js';
import { drain, monitorLog, RecordingObserver, RecordingSink } from './support.js';

const SEC = 1000;

/** Five failed sign-ins of one actor within 10 minutes. */
const FAILED = `rules:
  - id: failed
    title: Failed sign-ins
    severity: high
    match: { action: auth.sign_in, outcome: failure }
    threshold: { count: 5, window: 10m, group_by: [actor.id] }
`;
const failure = { action: 'auth.sign_in', outcome: 'failure' as const, actor: { id: 'alice' } };

for (const factory of STORES) {
  describe(`monitor engine (${factory.name})`, () => {
    it('evaluates every entry once, in order, and hands each page to the observers', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new RecordingSink();
        const observer = new RecordingObserver();
        const engine = log.engine({ sink, observers: [observer], pageSize: 3 });
        assert.equal(await engine.step(), 0); // first start: from the log's end
        const start = engine.position!;
        for (let i = 0; i < 7; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        await drain(engine);
        assert.deepEqual(
          observer.seqs,
          Array.from({ length: 7 }, (_, i) => start + i),
        );
        assert.equal(engine.position, start + 7);
        assert.deepEqual([...sink.created.keys()], [`failed:${start + 4}`]);
        assert.equal(sink.calls.length, 1);
      } finally {
        await log.dispose();
      }
    });

    it('a restart in the middle of a window keeps the count (no entry skipped or counted twice)', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new RecordingSink();
        const first = log.engine({ sink });
        await first.step();
        for (let i = 0; i < 3; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        await drain(first);
        await first.stop(); // persists and releases the lease

        const second = log.engine({ sink });
        const seqs: number[] = [];
        for (let i = 0; i < 3; i++) {
          log.clock.advance(SEC);
          seqs.push(...(await log.append([failure])));
        }
        await drain(second);
        // 3 before + 2 after the restart make five: the alert comes at the 5th, not the 6th.
        assert.deepEqual([...sink.created.keys()], [`failed:${seqs[1]}`]);
        assert.equal(sink.created.get(`failed:${seqs[1]}`)!.seqs.length, 5);
      } finally {
        await log.dispose();
      }
    });

    it('an evaluator thread that dies is replaced, and evaluation resumes from the saved windows', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new RecordingSink();
        // Every step saves position and windows: the thread dies after a save.
        const engine = log.engine({ sink, persistEveryMs: 0 });
        await engine.step();
        const seqs: number[] = [];
        for (let i = 0; i < 3; i++) {
          log.clock.advance(SEC);
          seqs.push(...(await log.append([failure])));
        }
        await drain(engine);
        const held = engine as unknown as { thread: EvaluatorThread };
        const dead = held.thread;
        await dead.close();
        for (let i = 0; i < 2; i++) {
          log.clock.advance(SEC);
          seqs.push(...(await log.append([failure])));
        }
        await assert.rejects(engine.step(), /the evaluator thread stopped/);
        await drain(engine);
        assert.notEqual(held.thread, dead);
        assert.ok(held.thread.alive);
        // Three counted before the thread died and two after make five, the fifth alerts.
        assert.deepEqual([...sink.created.keys()], [`failed:${seqs[4]}`]);
        assert.deepEqual(sink.created.get(`failed:${seqs[4]}`)!.seqs, seqs);
        assert.equal(engine.position, seqs[4]! + 1);
      } finally {
        await log.dispose();
      }
    });

    it('a crash after raising but before persisting raises nothing twice', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new RecordingSink();
        const engine = log.engine({ sink, persistEveryMs: 60_000 });
        await engine.step();
        for (let i = 0; i < 6; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        sink.failAfterNext = true;
        await assert.rejects(engine.step(), /simulated crash/);
        // The engine went back to its last persisted state and evaluates the page again.
        await drain(engine);
        assert.equal(sink.calls.length, 2);
        assert.equal(sink.calls[0]!.key, sink.calls[1]!.key);
        assert.deepEqual(sink.calls[0], sink.calls[1]);
        assert.equal(sink.created.size, 1);

        // A process that dies without persisting: its successor replays the same verdicts.
        const crashing = log.engine({ sink, persistEveryMs: 60_000, leaseMs: 3000 });
        await engine.stop();
        await crashing.step();
        for (let i = 0; i < 5; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        await drain(crashing); // raises, and writes its state (its first write)
        for (let i = 0; i < 2; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        await drain(crashing); // evaluated, not persisted (persistEveryMs)
        log.clock.advance(3000); // its lease expires
        const successor = log.engine({ sink });
        for (let i = 0; i < 3; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
        }
        await drain(successor);
        // 2 unpersisted + 3 new = 5: one more alert, at the last entry.
        assert.equal(sink.created.size, 3);
        assert.equal(sink.calls.length, 4);
      } finally {
        await log.dispose();
      }
    });

    it('a rule change applies from its recorded seq; earlier entries keep the old verdicts', async () => {
      const log = await monitorLog(factory);
      try {
        const pairOf = (action: string) => `rules:
  - id: pair
    title: Two in a row
    severity: low
    match: { action: ${action} }
    threshold: { count: 2, window: 1h }
`;
        await log.setRules(pairOf('doc.export'));
        const sink = new RecordingSink();
        const engine = log.engine({ sink });
        await engine.step();
        // Two exports are committed before the change, but evaluated after it was made.
        const [e1, e2] = await log.append([{ action: 'doc.export' }, { action: 'doc.export' }]);
        const changeSeq = await log.setRules(pairOf('doc.delete'));
        const after = await log.append([
          { action: 'doc.export' },
          { action: 'doc.export' },
          { action: 'doc.delete' },
          { action: 'doc.delete' },
        ]);
        await drain(engine);
        assert.ok(e1! < e2! && e2! < changeSeq && changeSeq < after[0]!);
        assert.deepEqual(
          [...sink.created.values()].map((a) => [a.key, a.seqs]),
          [
            [`pair:${e2}`, [e1, e2]],
            [`pair:${after[3]}`, [after[2], after[3]]],
          ],
        );
        const saved = await engineStatus(log.store);
        assert.equal(saved!.position, after[3]! + 1);
      } finally {
        await log.dispose();
      }
    });

    it('with two engines on one database only the lease holder works; the other takes over', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new RecordingSink();
        const a = log.engine({ sink, leaseMs: 6000 });
        const b = log.engine({ sink, leaseMs: 6000 });
        await a.step();
        assert.equal(await b.step(), 0);
        assert.equal(b.position, undefined);
        for (let i = 0; i < 4; i++) {
          log.clock.advance(SEC);
          await log.append([failure]);
          await a.step();
          assert.equal(await b.step(), 0);
        }
        assert.equal(sink.calls.length, 0);
        // A stops answering; after its lease runs out B continues from A's persisted state.
        log.clock.advance(6000);
        log.clock.advance(SEC);
        const [fifth] = await log.append([failure]);
        await drain(b);
        assert.ok(b.position !== undefined);
        assert.deepEqual([...sink.created.keys()], [`failed:${fifth}`]);
        // A wakes up: it no longer holds the lease and does nothing.
        assert.equal(await a.step(), 0);
        assert.equal(a.position, undefined);
        assert.equal(sink.calls.length, 1);
      } finally {
        await log.dispose();
      }
    });

    it('with a transactional sink the windows are saved at their pace, not with every alert; a successor raises nothing twice', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        const sink = new AlertService({ store: log.store, audit: log.audit, clock: log.clock });
        const engine = log.engine({ sink, persistEveryMs: 60_000, leaseMs: 3000 });
        await engine.step();
        const raised = async () => {
          const size = (await log.store.head())!.size;
          const records = (await log.store.entries(0, size)).map((e) => JSON.parse(e.record));
          return records.filter((r) => r.action === 'alert.raise').length;
        };
        const burst = async () => {
          const seqs: number[] = [];
          for (let i = 0; i < 5; i++) {
            log.clock.advance(SEC);
            seqs.push(...(await log.append([failure])));
          }
          await drain(engine);
          return seqs;
        };
        const first = await burst(); // nothing saved yet: the position commits with the alert
        const saved = (await engineStatus(log.store))!.position;
        assert.ok(saved > first[4]!);
        const second = await burst(); // within the minute: the alert commits alone
        assert.equal(await raised(), 2);
        assert.equal((await engineStatus(log.store))!.position, saved);
        assert.ok(saved <= second[0]!);
        // The process dies here; its successor evaluates the second burst again.
        log.clock.advance(3000);
        const successor = log.engine({ sink });
        await drain(successor);
        assert.equal(await raised(), 2);
        assert.ok((await engineStatus(log.store))!.position > second[4]!);
      } finally {
        await log.dispose();
      }
    });

    it('gives the event loop turns while it evaluates one large page', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(FAILED);
        let turns = 0;
        let ticking = true;
        // Entries handed over in memory: no store read, whose I/O would give turns anyway.
        let turnsAtFirstTake: number | undefined;
        const recent = new (class extends RecentEntries {
          override rows(from: number, to: number) {
            turnsAtFirstTake ??= turns;
            return super.rows(from, to);
          }
        })();
        log.sequencer.onCommitted((entries) => recent.add(entries));
        let turnsAtObserve: number | undefined;
        const engine = log.engine({
          recent,
          pageSize: 20_000,
          batchSize: 20_000,
          observers: [
            {
              observe: async () => {
                turnsAtObserve = turns;
              },
            },
          ],
        });
        await engine.step();
        for (let i = 0; i < 20; i++) {
          await log.append(Array.from({ length: 1_000 }, () => failure));
        }
        const tick = () => {
          turns++;
          if (ticking) setImmediate(tick);
        };
        setImmediate(tick);
        assert.equal(await engine.step(), 20_000);
        ticking = false;
        // 20,000 entries in one page are parsed and evaluated on the evaluator thread, while
        // the loop goes on (the page used to be one synchronous run on it).
        const during = turnsAtObserve! - turnsAtFirstTake!;
        assert.ok(during >= 2, `the loop ran ${during} times while 20,000 entries were evaluated`);
      } finally {
        await log.dispose();
      }
    });

    it('alerts appended to the log by the sink are not evaluated (no feedback loop)', async () => {
      const log = await monitorLog(factory);
      try {
        await log.setRules(`rules:
  - id: anything-evident
    title: Anything from evident
    severity: low
    match: { source: evident }
`);
        const sink = new AlertService({ store: log.store, audit: log.audit, clock: log.clock });
        const engine = log.engine({ sink });
        await engine.step();
        await log.append([{ action: 'settings.update' }], 'evident');
        for (let i = 0; i < 5; i++) await drain(engine);
        const size = (await log.store.head())!.size;
        const records = (await log.store.entries(0, size)).map((e) => JSON.parse(e.record));
        const raised = records.filter((r) => r.action === 'alert.raise');
        assert.equal(raised.length, 1);
        assert.equal(raised[0].details.rule, 'anything-evident');
      } finally {
        await log.dispose();
      }
    });
  });
}
