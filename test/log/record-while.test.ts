import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit, type SelfAuditEvent } from '../../src/log/self-audit.js';
import type { AppendResult, Sequencer } from '../../src/log/sequencer.js';
import { ManualClock } from '../../src/util/clock.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

/**
 * SelfAudit.recordWhile builds a read's answer while its trace commits, and still serves
 * nothing untraced: the answer comes back only once the event is durable, never when the
 * append fails.
 */
const system = { kind: 'system', id: 'test' } as const;
const event = (action: string): SelfAuditEvent => ({ principal: system, action });

/** A sequencer whose one append settles when the test says so. */
function heldSequencer(): {
  sequencer: Sequencer;
  settle: (outcome: { fail: Error } | { seq: number }) => void;
} {
  let settle: (outcome: { fail: Error } | { seq: number }) => void = () => undefined;
  const sequencer = {
    append: () =>
      new Promise<AppendResult>((resolve, reject) => {
        settle = (outcome) =>
          'fail' in outcome
            ? reject(outcome.fail)
            : resolve({
                entries: [
                  { id: 'x', seq: outcome.seq, leafHash: new Uint8Array(32), duplicate: false },
                ],
                checkpoint: '',
                treeSize: outcome.seq + 1,
              });
      }),
  } as unknown as Sequencer;
  return { sequencer, settle: (outcome) => settle(outcome) };
}

describe('SelfAudit.recordWhile', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const fresh = async (): Promise<{ log: OpenLog; audit: SelfAudit }> => {
    const dir = tempDir();
    const clock = new ManualClock(START_MS);
    const log = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
    cleanups.push(async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { log, audit: new SelfAudit(log.sequencer, TEST_ORIGIN, clock) };
  };
  const lastAction = async (log: OpenLog) => {
    const size = (await log.store.head())?.size ?? 0;
    const [last] = await log.store.entries(size - 1, size);
    return JSON.parse(last!.record).action as string;
  };

  it('answers once the event is in the log, with what the answer built', async () => {
    const { log, audit } = await fresh();
    const before = (await log.store.head())?.size ?? 0;
    const answer = await audit.recordWhile(event('audit_log.search'), () => ({ body: 'page' }));
    assert.deepEqual(answer, { body: 'page' });
    assert.equal((await log.store.head())?.size, before + 1);
    assert.equal(await lastAction(log), 'audit_log.search');
  });

  it('does not answer before the append is durable', async () => {
    const held = heldSequencer();
    const audit = new SelfAudit(held.sequencer, TEST_ORIGIN, new ManualClock(START_MS));
    let built = 0;
    let settled = false;
    const answered = audit
      .recordWhile(event('audit_log.proof'), () => ++built)
      .finally(() => {
        settled = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(built, 1, 'the answer is built while the append is in flight');
    assert.equal(settled, false, 'but not served before the event is durable');
    held.settle({ seq: 7 });
    assert.equal(await answered, 1);
  });

  it('fails closed: a failed append rejects with its error and the answer is dropped', async () => {
    const held = heldSequencer();
    const audit = new SelfAudit(held.sequencer, TEST_ORIGIN, new ManualClock(START_MS));
    const answered = audit.recordWhile(event('audit_log.search'), () => 'secret page');
    await new Promise((resolve) => setTimeout(resolve, 5));
    held.settle({ fail: new Error('disk full') });
    await assert.rejects(answered, /disk full/);
  });

  it('fails closed when the append fails before the answer is built', async () => {
    const failing = {
      append: () => Promise.reject(new Error('writer stopped')),
    } as unknown as Sequencer;
    const audit = new SelfAudit(failing, TEST_ORIGIN, new ManualClock(START_MS));
    await assert.rejects(
      audit.recordWhile(event('audit_log.search'), () => 'secret page'),
      /writer stopped/,
    );
  });

  it('keeps the event of an attempt whose answer throws, and rethrows that error', async () => {
    const { log, audit } = await fresh();
    const before = (await log.store.head())?.size ?? 0;
    await assert.rejects(
      audit.recordWhile(event('audit_log.export'), () => {
        throw new Error('cannot encode');
      }),
      /cannot encode/,
    );
    assert.equal((await log.store.head())?.size, before + 1);
    assert.equal(await lastAction(log), 'audit_log.export');
  });
});
