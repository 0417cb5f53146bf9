/**
 * Migration 13 on a PostgreSQL log made by the schema before it (entries holding the record
 * and the ids, one purged_payloads row per seq): the payloads move to entry_payloads, one
 * partition per received_at month, purged entries keep their digests and their marks, a
 * restore made before stays one; and after it, appends create the months they need, at a
 * month boundary too, with no default partition to collect rows unseen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { leafHash } from '../../../src/core/merkle.js';
import { quoteIdent } from '../../../src/store/postgres/connection.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { NewEntry } from '../../../src/store/store.js';
import {
  purgedIdDigest,
  purgeMark,
  purgePayloads,
} from '../../../src/store/tables/retention/purged-payloads-table.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';

const JAN = Date.UTC(2026, 0, 15);
const FEB = Date.UTC(2026, 1, 10);

const text = (seq: number) =>
  JSON.stringify({
    action: 'customer.read',
    actor: { id: `u-${seq}` },
    n: seq,
    target: { id: `c-${seq}` },
  });

/** Seqs 0..3 in January, 4..5 in February, 6 the purge event; 1 and 2 purged, 2 restored since. */
async function oldLog(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const s = quoteIdent(schema);
    await client.query(`BEGIN; CREATE SCHEMA ${s}; SET LOCAL search_path TO ${s}`);
    await client.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
    );
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 12)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (let seq = 0; seq <= 6; seq++) {
      const purge = seq === 6;
      const at = seq <= 3 ? JAN + seq : purge ? FEB + 100 : FEB + seq;
      await client.query(
        `INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
         VALUES ($1, $2, $3, $4, $5, 'customer', $6, 'success', $7, $7, $8, $9)`,
        [
          seq,
          `id-${seq}`,
          purge ? 'evident' : 'billing',
          `u-${seq}`,
          purge ? 'retention.purge' : 'customer.read',
          `c-${seq}`,
          at,
          text(seq),
          leafHash(text(seq)),
        ],
      );
    }
    // What the code before migration 13 did for a purge of 1 and 2, and a restore of 2.
    for (const seq of [1, 2]) {
      await client.query('INSERT INTO purged_payloads VALUES ($1, 6, $2, NULL)', [seq, FEB + 200]);
      await client.query(
        "UPDATE entries SET record = '', actor_id = $2, target_id = $3 WHERE seq = $1",
        [seq, purgedIdDigest(`u-${seq}`), purgedIdDigest(`c-${seq}`)],
      );
    }
    await client.query(
      "UPDATE entries SET record = $2, actor_id = 'u-2', target_id = 'c-2' WHERE seq = $1",
      [2, text(2)],
    );
    await client.query('UPDATE purged_payloads SET restored_at_ms = $1 WHERE seq = 2', [FEB + 300]);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

describe('migration 13 on a PostgreSQL log made before it', { skip: !PG_ENABLED }, () => {
  let target: Awaited<ReturnType<typeof freshPgSchema>>;
  let store: PostgresStore;
  let sql: Client;
  const s = () => quoteIdent(target.schema);

  before(async () => {
    target = await freshPgSchema();
    await oldLog(target.url, target.schema);
    store = await PostgresStore.open(`${target.url}?schema=${target.schema}`);
    sql = new Client({ connectionString: target.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await store?.close();
    await target?.drop();
  });

  it('moves each payload to its month and keeps what a purge left', async () => {
    const parts = await sql.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = '${s()}.entry_payloads'::regclass ORDER BY 1`,
    );
    assert.deepEqual(
      parts.rows.map((r) => r.relname),
      ['entry_payloads_202601', 'entry_payloads_202602'],
    );
    const jan = await sql.query(`SELECT seq FROM ${s()}.entry_payloads_202601 ORDER BY seq`);
    assert.deepEqual(
      jan.rows.map((r) => Number(r.seq)),
      [0, 2, 3],
    );
    assert.equal((await store.entryBySeq(0))!.record, text(0));
    assert.equal((await store.entryBySeq(1))!.record, '');
    assert.equal((await store.entryBySeq(2))!.record, text(2));
    const scanned = [];
    for await (const page of store.scanEntries(0, 10)) scanned.push(...page);
    assert.equal(scanned[1]!.actorId, purgedIdDigest('u-1'));
    assert.equal(scanned[1]!.targetId, purgedIdDigest('c-1'));
    assert.equal(scanned[0]!.actorId, 'u-0');
    assert.deepEqual(
      (await store.search({ actor: 'u-3', limit: 10 })).map((e) => e.seq),
      [3],
    );
    assert.deepEqual(await store.search({ actor: purgedIdDigest('u-1'), limit: 10 }), []);
  });

  it('reads the old per-seq marks as ranges of one, restores included', async () => {
    assert.deepEqual(await purgeMark(store.state, 1), {
      seq: 1,
      purgeSeq: 6,
      purgedAtMs: FEB + 200,
      restoredAtMs: null,
    });
    assert.equal((await purgeMark(store.state, 2))!.restoredAtMs, FEB + 300);
    assert.equal(await purgeMark(store.state, 3), undefined);
    // Re-applying the recorded purge leaves the restore and the purged one alone.
    assert.equal(
      await store.transaction((tx) => purgePayloads(tx, { purgeSeq: 6, seqs: [1, 2], atMs: FEB })),
      0,
    );
    assert.equal((await store.entryBySeq(2))!.record, text(2));
  });

  it('creates the month an append needs, and the next, at a month boundary', async () => {
    const lastOfMarch = Date.UTC(2026, 3, 1) - 1;
    const firstOfApril = Date.UTC(2026, 3, 1);
    const entry = (seq: number, at: number): NewEntry => ({
      seq,
      id: `id-${seq}`,
      source: 'billing',
      leafHash: leafHash(text(seq)),
      record: text(seq),
      actorId: `u-${seq}`,
      action: 'customer.read',
      targetType: 'customer',
      targetId: `c-${seq}`,
      outcome: 'success',
      timeMs: at,
      receivedAtMs: at,
    });
    await store.append(async (tx) => {
      await tx.insert({
        entries: [entry(7, lastOfMarch), entry(8, firstOfApril)],
        nodes: [],
        checkpoint: { size: 9, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: 0 },
      });
    });
    const where = await sql.query(
      `SELECT seq, tableoid::regclass::text AS part FROM ${s()}.entry_payloads WHERE seq >= 7 ORDER BY seq`,
    );
    assert.deepEqual(
      where.rows.map((r) => r.part.split('.').pop()),
      ['entry_payloads_202603', 'entry_payloads_202604'],
    );
    const may = await sql.query(
      `SELECT to_regclass('${s()}.entry_payloads_202605') IS NOT NULL AS ok`,
    );
    assert.equal(may.rows[0].ok, true, 'the month after the newest is made ahead');
    // No default partition: a row for a month nobody created is refused, not kept aside.
    await assert.rejects(
      sql.query(
        `INSERT INTO ${s()}.entry_payloads (seq, received_at_ms, time_ms, actor_id, record) VALUES (99, $1, 0, 'u', '{}')`,
        [Date.UTC(2030, 0, 1)],
      ),
      /no partition/,
    );
  });

  it('purges a whole month by emptying its partition, and the marks are one range', async () => {
    // An event after the January entries to name (the trigger checks it).
    await store.append(async (tx) => {
      const purge = { ...textEntry(9), source: 'evident', action: 'retention.purge' };
      await tx.insert({
        entries: [purge],
        nodes: [],
        checkpoint: { size: 10, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: 0 },
      });
    });
    const removed = await store.transaction((tx) =>
      purgePayloads(tx, { purgeSeq: 9, ranges: [[0, 3]], atMs: FEB }),
    );
    // 1 was purged already and 2 restored: 0, 3 go (2 is covered by its old mark).
    assert.equal(removed, 2);
    const left = await sql.query(`SELECT count(*)::int AS n FROM ${s()}.entry_payloads_202601`);
    assert.equal(left.rows[0].n, 1, 'the restored payload stays');
    const marks = await sql.query(
      `SELECT seq, last_seq FROM ${s()}.purged_payloads WHERE purge_seq = 9`,
    );
    assert.deepEqual(
      marks.rows.map((r) => [Number(r.seq), Number(r.last_seq)]),
      [
        [0, 0],
        [3, 3],
      ],
    );
    assert.equal((await store.entryBySeq(3))!.record, '');
    assert.equal((await purgeMark(store.state, 3))!.purgeSeq, 9);
    // March whole (seq 7 alone): its partition is truncated (a new file), not emptied row by
    // row. February keeps the purge event at seq 6, so it could not be.
    const file = async () =>
      (
        await sql.query(
          `SELECT relfilenode FROM pg_class WHERE oid = '${s()}.entry_payloads_202603'::regclass`,
        )
      ).rows[0].relfilenode;
    const before = await file();
    assert.equal(
      await store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq: 9, ranges: [[7, 7]], atMs: FEB }),
      ),
      1,
    );
    assert.notEqual(await file(), before);
    const march = await sql.query(`SELECT count(*)::int AS n FROM ${s()}.entry_payloads_202603`);
    assert.equal(march.rows[0].n, 0);
    assert.equal((await store.entryBySeq(7))!.record, '');
    assert.equal((await store.entryBySeq(8))!.record, text(8));
  });
});

function textEntry(seq: number): NewEntry {
  const at = Date.UTC(2026, 3, 2);
  return {
    seq,
    id: `id-${seq}`,
    source: 'billing',
    leafHash: leafHash(text(seq)),
    record: text(seq),
    actorId: `u-${seq}`,
    action: 'customer.read',
    targetType: 'customer',
    targetId: `c-${seq}`,
    outcome: 'success',
    timeMs: at,
    receivedAtMs: at,
  };
}
