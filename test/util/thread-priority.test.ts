import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

/** The nice value of one of this process's threads, from /proc (field 19 of its stat). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its ')' are plain.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(after[16]);
}

describe('lowering one thread’s priority', () => {
  it('raises the calling thread’s nice value on Linux, and no other thread’s', async () => {
    const before = process.platform === 'linux' ? niceOf(process.pid) : 0;
    const moduleUrl = new URL('../../src/util/thread-priority.ts', import.meta.url).href;
    const worker = new Worker(
      `import('tsx/esm/api').then(async (tsx) => {
        tsx.register();
        const { lowerThisThreadPriority } = await import(${JSON.stringify(moduleUrl)});
        const { readlinkSync } = await import('node:fs');
        const { parentPort } = await import('node:worker_threads');
        const changed = lowerThisThreadPriority(7);
        const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
        parentPort.postMessage({ changed, tid });
        parentPort.once('message', () => process.exit(0));
      });`,
      { eval: true },
    );
    try {
      const { changed, tid } = await new Promise<{ changed: boolean; tid: number }>(
        (resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        },
      );
      if (process.platform !== 'linux') {
        assert.equal(changed, false);
        return;
      }
      assert.equal(changed, true);
      assert.equal(niceOf(tid), Math.min(19, before + 7));
      assert.equal(niceOf(process.pid), before, 'the main thread keeps its priority');
    } finally {
      worker.postMessage('done');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
