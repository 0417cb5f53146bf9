import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUniqueViolation, type QueryRunner } from '../../src/store/sql/query-runner.js';
import type { Store } from '../../src/store/store.js';
import { STORES } from '../support/stores.js';

/**
 * The state-table foundation, on every adapter: Kysely-built queries run on the store's own
 * connections, Store.transaction is all or nothing, and state written inside an append commits
 * or rolls back with the entries. The generic `state` table stands in for any typed table.
 */
const row = (kind: string, id: string, value = '{}') => ({
  kind,
  id,
  value,
  version: 1,
  updated_at_ms: 1,
});

const values = async (q: QueryRunner, kind: string) =>
  (
    await q.all<{ id: string; value: string }>(
      q.db.selectFrom('state').select(['id', 'value']).where('kind', '=', kind).orderBy('id'),
    )
  ).map((r) => `${r.id}=${r.value}`);

for (const factory of STORES) {
  describe(`Store conformance: ${factory.name}: state tables and transactions`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.append((tx) =>
        tx.insert({
          entries: [],
          nodes: [],
          checkpoint: { size: 0, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: 1 },
        }),
      );
    });
    after(async () => dispose());

    it('runs built queries: insert, read, a compare-and-set update counts the rows it changed', async () => {
      const q = store.state;
      assert.equal(await q.run(q.db.insertInto('state').values(row('t1', 'a', '"x"'))), 1);
      assert.deepEqual(await values(q, 't1'), ['a="x"']);
      const cas = (version: number) =>
        q.run(
          q.db
            .updateTable('state')
            .set({ value: '"y"', version: version + 1 })
            .where('kind', '=', 't1')
            .where('id', '=', 'a')
            .where('version', '=', version),
        );
      assert.equal(await cas(1), 1);
      assert.equal(await cas(1), 0, 'the second writer at the old version changes nothing');
      const first = await q.first<{ version: unknown }>(
        q.db.selectFrom('state').select('version').where('kind', '=', 't1'),
      );
      assert.equal(Number(first?.version), 2);
      assert.equal(
        await q.first(q.db.selectFrom('state').selectAll().where('kind', '=', 'none')),
        undefined,
      );
    });

    it('reports a unique violation the same way on both adapters', async () => {
      const q = store.state;
      await q.run(q.db.insertInto('state').values(row('t2', 'dup')));
      const error = await q.run(q.db.insertInto('state').values(row('t2', 'dup'))).catch((e) => e);
      assert.ok(error instanceof Error);
      assert.ok(
        isUniqueViolation(error),
        `not recognised: ${String((error as { code?: string }).code)}`,
      );
      assert.equal(isUniqueViolation(new Error('other')), false);
    });

    it('commits a transaction whole, and sees its own writes inside it', async () => {
      const seen = await store.transaction(async (tx) => {
        await tx.run(tx.db.insertInto('state').values(row('t3', 'a')));
        await tx.run(tx.db.insertInto('state').values(row('t3', 'b')));
        return values(tx, 't3');
      });
      assert.deepEqual(seen, ['a={}', 'b={}']);
      assert.deepEqual(await values(store.state, 't3'), ['a={}', 'b={}']);
    });

    it('rolls a transaction back whole when it throws, and passes the error on', async () => {
      const error = await store
        .transaction(async (tx) => {
          await tx.run(tx.db.insertInto('state').values(row('t4', 'a')));
          throw new Error('refused');
        })
        .catch((e: Error) => e);
      assert.equal((error as Error).message, 'refused');
      assert.deepEqual(await values(store.state, 't4'), []);
    });

    it('rolls back when a statement inside fails, even if the caller caught it', async () => {
      await store.state.run(store.state.db.insertInto('state').values(row('t5', 'taken')));
      const error = await store
        .transaction(async (tx) => {
          await tx.run(tx.db.insertInto('state').values(row('t5', 'new')));
          await tx.run(tx.db.insertInto('state').values(row('t5', 'taken'))).catch(() => undefined);
          await tx.run(tx.db.insertInto('state').values(row('t5', 'after')));
        })
        .catch((e: Error) => e);
      // PostgreSQL aborts the transaction at the failed statement; SQLite only that statement.
      // Either way the caller learns whether its writes are there: no half-applied state.
      const after = await values(store.state, 't5');
      if (error instanceof Error) assert.deepEqual(after, ['taken={}']);
      else assert.deepEqual(after, ['after={}', 'new={}', 'taken={}']);
    });

    it('refuses a kept transaction runner after the transaction ended', async () => {
      let kept: QueryRunner | undefined;
      await store.transaction(async (tx) => {
        kept = tx;
      });
      await assert.rejects(kept!.run(kept!.db.insertInto('state').values(row('t6', 'late'))));
      assert.deepEqual(await values(store.state, 't6'), []);
    });

    it('commits state written inside an append with its entries, and drops it with them', async () => {
      const entry = (seq: number) => ({
        seq,
        id: `e-${seq}`,
        source: 's',
        leafHash: new Uint8Array(32).fill(seq),
        record: `{"n":${seq}}`,
        actorId: 'a',
        action: 'x.y',
        targetType: null,
        targetId: null,
        outcome: 'success',
        timeMs: 1,
        receivedAtMs: 1,
      });
      const checkpoint = (size: number) => ({
        size,
        rootHash: new Uint8Array(32).fill(size),
        note: `n${size}\n`,
        createdAtMs: 1,
      });
      await store.append(async (tx) => {
        await tx.state.run(tx.state.db.insertInto('state').values(row('t7', 'with-entry')));
        await tx.insert({ entries: [entry(0)], nodes: [], checkpoint: checkpoint(1) });
      });
      await assert.rejects(
        store.append(async (tx) => {
          await tx.insert({ entries: [entry(1)], nodes: [], checkpoint: checkpoint(2) });
          await tx.state.run(tx.state.db.insertInto('state').values(row('t7', 'dropped')));
          throw new Error('the batch failed');
        }),
      );
      assert.deepEqual(await values(store.state, 't7'), ['with-entry={}']);
      assert.equal((await store.head())?.size, 1);
    });

    it('refuses, instead of hanging, a write that would wait for the transaction it is inside', async () => {
      const q = store.state;
      await assert.rejects(
        store.transaction(async () => {
          await q.run(q.db.insertInto('state').values(row('t8', 'outside')));
        }),
        /use the transaction's tx/,
      );
      await assert.rejects(
        store.transaction(() => store.transaction(async () => undefined)),
        /use the transaction's tx/,
      );
      await assert.rejects(
        store.append(async (tx) => {
          await tx.state.first(tx.state.db.selectFrom('state').selectAll());
          await store.append(async () => undefined);
        }),
        /use the transaction's tx/,
      );
      assert.deepEqual(await values(store.state, 't8'), []);
    });

    it('copies a state table page by page in key order (evident migrate)', async () => {
      const seen: string[] = [];
      for await (const page of store.scanTable('state', 2)) {
        assert.ok(page.length <= 2);
        for (const r of page) seen.push(`${String(r.kind)}/${String(r.id)}`);
      }
      assert.deepEqual(seen, [...seen].sort());
      assert.ok(seen.includes('t3/a') && seen.includes('t7/with-entry'));
      const other = await factory.create();
      try {
        const rows: Record<string, unknown>[] = [];
        for await (const page of store.scanTable('state', 3)) rows.push(...page);
        await other.store.insertRows('state', rows);
        const copied: Record<string, unknown>[] = [];
        for await (const page of other.store.scanTable('state', 100)) copied.push(...page);
        assert.deepEqual(
          copied.map((r) => [r.kind, r.id, r.value, Number(r.version), Number(r.updated_at_ms)]),
          rows.map((r) => [r.kind, r.id, r.value, Number(r.version), Number(r.updated_at_ms)]),
        );
        await assert.rejects(
          other.store.insertRows('state', rows.slice(0, 1)),
          'a second copy clashes',
        );
        await assert.rejects(async () => {
          for await (const _ of store.scanTable('entries', 1)) break;
        }, /not a state table/);
      } finally {
        await other.dispose();
      }
    });
  });
}
