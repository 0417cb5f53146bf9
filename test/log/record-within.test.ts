import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit, type SelfAuditEvent } from '../../src/log/self-audit.js';
import type { QueryRunner } from '../../src/store/sql/query-runner.js';
import { ManualClock } from '../../src/util/clock.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

/**
 * A state change and its log event commit together or not at all (SelfAudit.recordWithin):
 * on both stores, through the real sequencer, with ordinary appends going on beside it.
 */
const system = { kind: 'system', id: 'test' } as const;
const event = (action: string): SelfAuditEvent => ({ principal: system, action });
const put = (tx: QueryRunner, id: string) =>
  tx.run(
    tx.db
      .insertInto('state')
      .values({ kind: 'within', id, value: '{}', version: 1, updated_at_ms: 1 }),
  );

const stores = [
  { name: 'sqlite', databaseUrl: async () => ({ url: undefined, drop: async () => {} }) },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          databaseUrl: async () => {
            const pg = await freshPgSchema();
            return { url: `${pg.url}?schema=${pg.schema}`, drop: pg.drop };
          },
        },
      ]
    : []),
];

for (const kind of stores) {
  describe(`SelfAudit.recordWithin on ${kind.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });
    const fresh = async (): Promise<{ log: OpenLog; audit: SelfAudit }> => {
      const dir = tempDir();
      const db = await kind.databaseUrl();
      const clock = new ManualClock(START_MS);
      const log = await openLog({
        dataDir: dir,
        origin: TEST_ORIGIN,
        clock,
        ...(db.url ? { databaseUrl: db.url } : {}),
      });
      cleanups.push(async () => {
        await log.close();
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      });
      return { log, audit: new SelfAudit(log.sequencer, TEST_ORIGIN, clock) };
    };
    const ids = async (log: OpenLog) =>
      (
        await log.store.state.all<{ id: string }>(
          log.store.state.db
            .selectFrom('state')
            .select('id')
            .where('kind', '=', 'within')
            .orderBy('id'),
        )
      ).map((r) => r.id);
    const actions = async (log: OpenLog) => {
      const size = (await log.store.head())?.size ?? 0;
      return (await log.store.entries(0, size)).map((e) => JSON.parse(e.record).action as string);
    };

    it('commits the state and its events together, and answers with the events’ seqs', async () => {
      const { log, audit } = await fresh();
      const before = (await log.store.head())?.size ?? 0;
      const { result, seqs } = await audit.recordWithin(async (tx) => {
        await put(tx, 'a');
        return { events: [event('thing.create'), event('thing.grant')], result: 'done' };
      });
      assert.equal(result, 'done');
      assert.deepEqual(seqs, [before, before + 1]);
      assert.deepEqual(await ids(log), ['a']);
      assert.deepEqual((await actions(log)).slice(-2), ['thing.create', 'thing.grant']);
      assert.equal((await verifyStore(log.store)).ok, true);
    });

    it('writes nothing, state or event, when the work refuses after writing', async () => {
      const { log, audit } = await fresh();
      const size = (await log.store.head())?.size;
      const refused = await audit
        .recordWithin(async (tx) => {
          await put(tx, 'half');
          throw new AppError('approval_not_pending', 'no longer pending');
        })
        .catch((e: unknown) => e);
      assert.ok(refused instanceof AppError);
      assert.equal(refused.reason, 'approval_not_pending');
      assert.deepEqual(await ids(log), []);
      assert.equal((await log.store.head())?.size, size);
    });

    it('writes nothing when an event it returns is invalid', async () => {
      const { log, audit } = await fresh();
      const size = (await log.store.head())?.size;
      await assert.rejects(
        audit.recordWithin(async (tx) => {
          await put(tx, 'bad-event');
          return { events: [event('not an action')], result: undefined };
        }),
      );
      assert.deepEqual(await ids(log), []);
      assert.equal((await log.store.head())?.size, size);
    });

    it('refuses, instead of hanging, an append made from inside the work', async () => {
      const { log, audit } = await fresh();
      await assert.rejects(
        audit.recordWithin(async (tx) => {
          await put(tx, 'nested');
          await audit.record(event('thing.read'));
          return { events: [], result: undefined };
        }),
        /use the transaction's tx/,
      );
      assert.deepEqual(await ids(log), []);
    });

    it('commits state alone when the work returns no events', async () => {
      const { log, audit } = await fresh();
      const size = (await log.store.head())?.size;
      const { seqs } = await audit.recordWithin(async (tx) => {
        await put(tx, 'quiet');
        return { events: [], result: undefined };
      });
      assert.deepEqual(seqs, []);
      assert.deepEqual(await ids(log), ['quiet']);
      assert.equal((await log.store.head())?.size, size);
    });

    it('keeps ordinary appends unharmed by a refused change beside them, and the log verifies', async () => {
      const { log, audit } = await fresh();
      const record = (n: number) => ({
        time: '2026-11-22T09:00:00.000Z',
        actor: { id: `u-${n}` },
        action: 'doc.read',
        outcome: 'success' as const,
      });
      const results = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => log.sequencer.append([record(i)], 'app')),
        audit.recordWithin(async (tx) => {
          await put(tx, 'kept');
          return { events: [event('thing.create')], result: 1 };
        }),
        audit.recordWithin(async (tx) => {
          await put(tx, 'refused');
          throw new AppError('last_admin', 'refused');
        }),
        ...Array.from({ length: 20 }, (_, i) => log.sequencer.append([record(100 + i)], 'app')),
      ]);
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      assert.deepEqual(await ids(log), ['kept']);
      const all = await actions(log);
      assert.equal(all.filter((a) => a === 'doc.read').length, 40);
      assert.equal(all.filter((a) => a === 'thing.create').length, 1);
      assert.equal((await verifyStore(log.store)).ok, true);
    });
  });
}
