import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMonitor } from '../../src/monitor/start-monitor.js';
import { STORES } from '../support/stores.js';
import { monitorLog, RecordingSink } from './engine/support.js';

describe('the monitor loop', () => {
  it('goes on at once after a full batch, and waits for the next poll after a partial one', async () => {
    const log = await monitorLog(STORES[0]!);
    const monitor = await startMonitor({
      store: log.store,
      sink: new RecordingSink(),
      audit: log.audit,
      clock: log.clock,
      pollMs: 60_000, // only nudge() wakes the loop within this test
      pageSize: 5,
      batchSize: 5,
    });
    try {
      // The loop's first step loads the engine at the log's end; let it finish and sleep.
      for (let i = 0; i < 100 && monitor.engine.position === undefined; i++) await sleep(20);
      await sleep(200);
      const evaluated: number[] = [];
      const step = monitor.engine.step.bind(monitor.engine);
      monitor.engine.step = async () => {
        const n = await step();
        evaluated.push(n);
        return n;
      };
      await log.append(Array.from({ length: 12 }, () => ({})));
      monitor.nudge();
      for (let i = 0; i < 100 && evaluated.reduce((a, b) => a + b, 0) < 12; i++) await sleep(20);
      // A partial step reached the head: the loop sleeps rather than stepping again at once
      // (under a steady trickle that was a step, and a durable write, per few entries).
      await sleep(300);
      assert.deepEqual(evaluated, [5, 5, 2]);
    } finally {
      await monitor.stop();
      await log.dispose();
    }
  });
});
