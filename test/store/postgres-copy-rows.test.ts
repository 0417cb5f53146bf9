import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { type CopyValue, copyRows } from '../../src/store/postgres/copy-rows.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';

/** The COPY writer the append path uses: text-format escaping, NULLs, bytea, failures. */
describe('copyRows (PostgreSQL COPY FROM STDIN)', { skip: !PG_ENABLED }, () => {
  let target: Awaited<ReturnType<typeof freshPgSchema>>;
  let sql: Client;
  let table: string;

  before(async () => {
    target = await freshPgSchema();
    sql = new Client({ connectionString: target.url });
    await sql.connect();
    await sql.query(`CREATE SCHEMA ${quoteIdent(target.schema)}`);
    table = `${quoteIdent(target.schema)}.t`;
    await sql.query(`CREATE TABLE ${table} (n BIGINT PRIMARY KEY, s TEXT, b BYTEA)`);
  });
  after(async () => {
    await sql?.end();
    await target?.drop();
  });

  it('stores every character a record can hold exactly, and NULL as NULL', async () => {
    const hostile = [
      'tab\there',
      'line\nbreak and \r return',
      'back\\slash \\N \\. \\x41',
      '\\.',
      '{"q":"\\"quoted\\"","u":"\\u0000"}',
      'ünïcødé 💥 \u202e',
      '',
    ];
    const rows: CopyValue[][] = hostile.map((s, i) => [i, s, new Uint8Array([i, 0, 255, 92, 9])]);
    rows.push([hostile.length, null, null]);
    await copyRows(sql, table, ['n', 's', 'b'], rows);
    const { rows: back } = await sql.query(`SELECT n, s, b FROM ${table} ORDER BY n`);
    assert.equal(back.length, rows.length);
    for (const [i, s] of hostile.entries()) {
      assert.equal(back[i].s, s);
      assert.deepEqual([...back[i].b], [i, 0, 255, 92, 9]);
    }
    assert.equal(back[hostile.length].s, null);
    assert.equal(back[hostile.length].b, null);
  });

  it('fails the whole COPY on a duplicate key and aborts the transaction', async () => {
    await sql.query('BEGIN');
    try {
      await assert.rejects(
        copyRows(
          sql,
          table,
          ['n', 's'],
          [
            [100, 'new'],
            [0, 'duplicate of an existing key'],
          ],
        ),
        /duplicate key/,
      );
      await assert.rejects(sql.query('SELECT 1'), /current transaction is aborted/);
    } finally {
      await sql.query('ROLLBACK');
    }
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE n = 100`);
    assert.equal(rows[0].n, 0);
  });

  it('a COPY refused before its data arrives drops the data sent behind it; the connection goes on', async () => {
    // The data follows the statement without waiting for PostgreSQL's CopyInResponse: when
    // the statement itself fails (no such column), PostgreSQL drops the CopyData and CopyDone
    // that arrive after the error. Several megabytes, so they span many CopyData messages.
    const big = 'x'.repeat(1 << 20);
    const rows: CopyValue[][] = Array.from({ length: 3 }, (_, i) => [200 + i, big]);
    await sql.query('BEGIN');
    try {
      await assert.rejects(copyRows(sql, table, ['n', 'no_such_column'], rows), /no_such_column/);
      await assert.rejects(sql.query('SELECT 1'), /current transaction is aborted/);
    } finally {
      await sql.query('ROLLBACK');
    }
    // The next statements on the same connection are answered as themselves.
    assert.equal((await sql.query('SELECT 41 + 1 AS n')).rows[0].n, 42);
    await copyRows(sql, table, ['n', 's'], rows);
    const { rows: back } = await sql.query(
      `SELECT n, length(s) AS len FROM ${table} WHERE n >= 200 ORDER BY n`,
    );
    assert.deepEqual(
      back.map((r) => [Number(r.n), r.len]),
      [
        [200, big.length],
        [201, big.length],
        [202, big.length],
      ],
    );
  });

  it('refuses a number that is not a safe integer instead of rounding it', async () => {
    await assert.rejects(copyRows(sql, table, ['n'], [[2 ** 53]]), /safe integer/);
    // Nothing was sent: the connection still answers.
    assert.equal((await sql.query('SELECT 1 AS one')).rows[0].one, 1);
  });

  it('writes nothing and sends nothing for no rows', async () => {
    await copyRows(sql, table, ['n'], []);
    assert.equal((await sql.query('SELECT 1 AS one')).rows[0].one, 1);
  });
});

/** Entries appended by COPY keep the append-only guarantees of the log's tables. */
describe('PostgreSQL appends by COPY', { skip: !PG_ENABLED }, () => {
  let target: Awaited<ReturnType<typeof freshPgSchema>>;
  let store: PostgresStore;
  let sql: Client;
  let s: string;
  const record = '{"reason":"tab\\there, line\\nbreak, back\\\\slash"}';

  before(async () => {
    target = await freshPgSchema();
    s = quoteIdent(target.schema);
    const url = new URL(target.url);
    url.searchParams.set('schema', target.schema);
    store = await PostgresStore.open(url.toString());
    sql = new Client({ connectionString: target.url });
    await sql.connect();
    await store.append((tx) =>
      tx.insert({
        entries: [0, 1].map((seq) => ({
          seq,
          id: `e${seq}`,
          source: 'app',
          leafHash: new Uint8Array(32).fill(seq + 1),
          record,
          actorId: 'u\tx',
          action: 'a.b',
          targetType: seq === 0 ? null : 'doc',
          targetId: seq === 0 ? null : 'd\n1',
          outcome: 'success',
          timeMs: 1,
          receivedAtMs: 2,
        })),
        nodes: [{ level: 1, index: 0, hash: new Uint8Array(32).fill(9) }],
        checkpoint: { size: 2, rootHash: new Uint8Array(32).fill(9), note: 'n\n', createdAtMs: 3 },
      }),
    );
  });
  after(async () => {
    await sql?.end();
    await store?.close();
    await target?.drop();
  });

  it('reads back what it wrote: records, NULL targets, hashes and nodes', async () => {
    const [a, b] = await store.entries(0, 2);
    assert.equal(a!.record, record);
    assert.equal(b!.record, record);
    assert.deepEqual([...a!.leafHash], new Array(32).fill(1));
    const { rows } = await sql.query(
      `SELECT actor_id, target_type, target_id FROM ${s}.entries ORDER BY seq`,
    );
    assert.deepEqual(rows, [
      { actor_id: 'u\tx', target_type: null, target_id: null },
      { actor_id: 'u\tx', target_type: 'doc', target_id: 'd\n1' },
    ]);
    // The digests the append computes in JS are the ones PostgreSQL computes (migration 13
    // digests an existing log in SQL; holds match either).
    const digests = await sql.query(
      `SELECT l.actor_digest = 'sha256:' || encode(sha256(convert_to(p.actor_id, 'UTF8')), 'hex') AS actor,
              l.target_digest IS NOT DISTINCT FROM
                'sha256:' || encode(sha256(convert_to(p.target_id, 'UTF8')), 'hex') AS target
         FROM ${s}.entry_leaves l JOIN ${s}.entry_payloads p USING (seq) ORDER BY seq`,
    );
    assert.deepEqual(digests.rows, [
      { actor: true, target: true },
      { actor: true, target: true },
    ]);
    const nodes = await store.nodes([{ level: 1, index: 0 }]);
    assert.deepEqual([...[...nodes.values()][0]!], new Array(32).fill(9));
    assert.equal((await store.checkpoint(2))?.note, 'n\n');
  });

  it('still refuses updates, deletes and truncation of the copied rows', async () => {
    for (const statement of [
      `UPDATE ${s}.entries SET actor_id = 'forged' WHERE seq = 1`,
      `DELETE FROM ${s}.entries WHERE seq = 1`,
      // "entries" is a view of these two since migration 13: COPY writes them directly.
      `UPDATE ${s}.entry_leaves SET actor_digest = 'forged' WHERE seq = 1`,
      `DELETE FROM ${s}.entry_leaves WHERE seq = 1`,
      `TRUNCATE ${s}.entry_leaves`,
      `UPDATE ${s}.entry_payloads SET actor_id = 'forged' WHERE seq = 1`,
      `DELETE FROM ${s}.entry_payloads WHERE seq = 1`,
      `TRUNCATE ${s}.entry_payloads`,
      `UPDATE ${s}.tree_nodes SET hash = '\\x00'`,
      `DELETE FROM ${s}.tree_nodes`,
    ]) {
      await assert.rejects(sql.query(statement), /append-only/, statement);
    }
  });

  it('rolls the whole group back when a copied id is already stored', async () => {
    await assert.rejects(
      store.append((tx) =>
        tx.insert({
          entries: [
            {
              seq: 2,
              id: 'e0',
              source: 'app',
              leafHash: new Uint8Array(32),
              record: '{}',
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
          checkpoint: { size: 3, rootHash: new Uint8Array(32), note: 'x\n', createdAtMs: 4 },
        }),
      ),
      /duplicate key/,
    );
    assert.equal((await store.head())?.size, 2);
    assert.equal((await store.counts()).entries, 2);
  });
});
