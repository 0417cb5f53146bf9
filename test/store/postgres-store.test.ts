import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql as kyselySql } from 'kysely';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { statementsFor } from '../../src/store/postgres/statements.js';
import type { AppendTransaction, EntryFilter, StoredCheckpoint } from '../../src/store/store.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';

/** What only the PostgreSQL adapter has to get right; the shared behaviour is in store.test.ts. */
describe('PostgresStore', { skip: !PG_ENABLED }, () => {
  let target: Awaited<ReturnType<typeof freshPgSchema>>;
  let store: PostgresStore;
  let sql: Client;
  let s: string;

  const hash = (n: number) => new Uint8Array(32).fill(n);
  const checkpoint = (size: number): StoredCheckpoint => ({
    size,
    rootHash: hash(size),
    note: `note ${size}\n`,
    createdAtMs: 1,
  });

  before(async () => {
    target = await freshPgSchema();
    s = quoteIdent(target.schema);
    const url = new URL(target.url);
    url.searchParams.set('schema', target.schema);
    store = await PostgresStore.open(url.toString());
    sql = new Client({ connectionString: target.url });
    await sql.connect();
    await store.append(async (tx) =>
      tx.insert({
        entries: [
          {
            seq: 0,
            id: 'e0',
            source: 'app',
            leafHash: hash(7),
            record: '{"n":0}',
            actorId: 'u',
            action: 'a.b',
            targetType: null,
            targetId: null,
            outcome: 'success',
            timeMs: 1,
            receivedAtMs: 2,
          },
        ],
        nodes: [],
        checkpoint: checkpoint(1),
      }),
    );
  });
  after(async () => {
    await sql?.end();
    await store?.close();
    await target?.drop();
  });

  it('takes its schema from ?schema= in the URL, creating it', async () => {
    assert.equal(store.schema, target.schema);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM ${s}.entries`);
    assert.equal(rows[0].n, 1);
  });

  it('refuses to update, delete or truncate history, even with raw SQL', async () => {
    for (const statement of [
      `UPDATE ${s}.entries SET record = '{}'`,
      `DELETE FROM ${s}.entries`,
      // Since migration 13 "entries" is a view of these two (a TRUNCATE of a view fails anyway).
      `UPDATE ${s}.entry_leaves SET source = 'forged'`,
      `DELETE FROM ${s}.entry_leaves`,
      `TRUNCATE ${s}.entry_leaves`,
      `UPDATE ${s}.entry_payloads SET record = '{}'`,
      `DELETE FROM ${s}.entry_payloads`,
      `TRUNCATE ${s}.entry_payloads`,
      `DELETE FROM ${s}.checkpoints`,
      `UPDATE ${s}.checkpoints SET note = 'forged'`,
      `TRUNCATE ${s}.tree_nodes`,
    ]) {
      await assert.rejects(sql.query(statement), /append-only/, statement);
    }
    await assert.rejects(sql.query(`TRUNCATE ${s}.entries`), /not a table/);
    assert.equal((await store.entryBySeq(0))!.record, '{"n":0}');
  });

  it('reports a number beyond 2^53 instead of rounding it', async () => {
    await sql.query(
      `INSERT INTO ${s}.entries (seq, id, source, actor_id, action, outcome, time_ms, received_at_ms, record, leaf_hash)
       VALUES (9007199254740993, 'huge', 'app', 'u', 'a.b', 'success', 1, 2, '{}', '\\x00')`,
    );
    await assert.rejects(store.entryById('huge'), /safe integer/);
  });

  it('runs an append without parallel plans and with durable commits, whatever the server defaults', async () => {
    const settings = await store.append((tx) =>
      tx.state.first<{ parallel: string; sync: string }>(
        tx.state.db.selectNoFrom([
          kyselySql<string>`current_setting('max_parallel_workers_per_gather')`.as('parallel'),
          kyselySql<string>`current_setting('synchronous_commit')`.as('sync'),
        ]),
      ),
    );
    assert.deepEqual(settings, { parallel: '0', sync: 'on' });
  });

  it('never sends a query while the append client is still busy (node-postgres 9 refuses it)', async () => {
    // node-postgres 8 queues such a query and warns once per process; the check it makes
    // (client.ts: `_queryQueue`) and the running query are watched here on every call.
    type Busy = { activeQuery?: unknown; _queryQueue: unknown[] };
    const overlapping: string[] = [];
    const query = Client.prototype.query;
    Client.prototype.query = function (this: Busy, ...args: unknown[]) {
      if (this.activeQuery || this._queryQueue.length > 0) {
        const text = args[0] as string | { text?: string };
        overlapping.push(typeof text === 'string' ? text : (text?.text ?? 'a COPY'));
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const size = (await store.head())!.size;
    try {
      await assert.rejects(
        store.append(async (tx) => {
          await tx.insert({
            entries: [
              {
                seq: size,
                id: `e-${size}-one-at-a-time`,
                source: 'app',
                leafHash: hash(10),
                record: '{"n":2}',
                actorId: 'u',
                action: 'a.b',
                targetType: 't',
                targetId: 'x',
                outcome: 'success',
                timeMs: 1,
                receivedAtMs: 3,
              },
            ],
            nodes: [{ level: 1, index: 2000, hash: hash(10) }],
            checkpoint: checkpoint(size + 1),
          });
          throw new Error('rolled back on purpose: the later tests expect the log as it was');
        }),
        /on purpose/,
      );
    } finally {
      Client.prototype.query = query;
    }
    assert.deepEqual(overlapping, []);
    assert.equal((await store.head())!.size, size);
  });

  it('does not let a kept transaction run queries after its append ended', async () => {
    let kept: AppendTransaction | undefined;
    await store.append(async (tx) => {
      kept = tx;
    });
    await assert.rejects(kept!.head(), /ended/);
  });

  it('fails the append when a statement inside it failed, even if the writer caught the error', async () => {
    await assert.rejects(
      store.append(async (tx) => {
        await tx
          .insert({ entries: [], nodes: [], checkpoint: checkpoint(1) })
          .catch(() => undefined);
      }),
      /rolled back/,
    );
    assert.equal((await store.head())!.size, 1);
  });

  it('reports the statement of a batch that failed, and writes none of the batch', async () => {
    // A duplicate seq fails the entry_leaves COPY after the tree nodes and payloads went in.
    // The append must fail with the duplicate, not with "transaction is aborted" from a
    // later statement, and leave nothing.
    const before = await sql.query(`SELECT
        (SELECT count(*)::int FROM ${s}.tree_nodes) AS nodes,
        (SELECT count(*)::int FROM ${s}.entry_payloads) AS payloads`);
    await assert.rejects(
      store.append(async (tx) =>
        tx.insert({
          entries: [
            {
              seq: 0,
              id: 'e0-again',
              source: 'app',
              leafHash: hash(8),
              record: '{"n":1}',
              actorId: 'u',
              action: 'a.b',
              targetType: null,
              targetId: null,
              outcome: 'success',
              timeMs: 1,
              receivedAtMs: 3,
            },
          ],
          nodes: [{ level: 1, index: 1000, hash: hash(9) }],
          checkpoint: checkpoint(2),
        }),
      ),
      (error: Error) => /duplicate key/.test(error.message) && /entries_pkey/.test(error.message),
    );
    const afterwards = await sql.query(`SELECT
        (SELECT count(*)::int FROM ${s}.tree_nodes) AS nodes,
        (SELECT count(*)::int FROM ${s}.entry_payloads) AS payloads`);
    assert.deepEqual(afterwards.rows[0], before.rows[0]);
    assert.equal((await store.head())!.size, 1);
    // The pooled client came back clean: the next append works.
    const size = await store.append(async (tx) => (await tx.head())!.size);
    assert.equal(size, 1);
  });

  it('picks a search page by actor or target among the payloads, then joins only its rows', async () => {
    interface PlanNode {
      'Node Type': string;
      'Relation Name'?: string;
      Plans?: PlanNode[];
    }
    const relations = (n: PlanNode): string[] => [
      ...(n['Relation Name'] ? [n['Relation Name']] : []),
      ...(n.Plans ?? []).flatMap(relations),
    ];
    const limits = (n: PlanNode): PlanNode[] => [
      ...(n['Node Type'] === 'Limit' ? [n] : []),
      ...(n.Plans ?? []).flatMap(limits),
    ];
    const plan = async (filter: EntryFilter) => {
      const q = statementsFor(target.schema).search(filter);
      const { rows } = await sql.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
      return rows[0]['QUERY PLAN'][0].Plan as PlanNode;
    };
    // The LIMIT sits over entry_payloads alone: the planner can stop after `limit` index rows
    // instead of joining every entry of the person to its leaf before sorting.
    for (const filter of [
      { actor: 'u', limit: 10 },
      { actor: 'u', order: 'time', timeFromMs: 0, limit: 10 },
      { target: 'doc-1', fromSeq: 0, limit: 10 },
    ] satisfies EntryFilter[]) {
      const [limit] = limits(await plan(filter));
      assert.ok(limit, JSON.stringify(filter));
      const under = relations(limit);
      assert.ok(
        under.length > 0 && under.every((r) => r.startsWith('entry_payloads')),
        `${JSON.stringify(filter)}: ${under}`,
      );
    }
    // A condition on entry_leaves (action) keeps the join under the LIMIT.
    const [joined] = limits(await plan({ actor: 'u', action: 'a.b', limit: 10 }));
    assert.ok(relations(joined!).includes('entry_leaves'));
    // And the page's rows come back whole (below the entry past 2^53 an earlier test added).
    const found = await store.search({ actor: 'u', toSeq: 1, limit: 10 });
    assert.deepEqual(
      found.map((e) => [e.seq, e.id, e.source, e.record]),
      [[0, 'e0', 'app', '{"n":0}']],
    );
  });

  it('refuses a schema written by a newer Evident', async () => {
    await sql.query(
      `INSERT INTO ${s}.schema_migrations (version, name, applied_at_ms) VALUES (999, 'future', 0)`,
    );
    await assert.rejects(
      PostgresStore.open(target.url, { schema: target.schema }),
      /newer Evident \(schema 999/,
    );
  });
});
