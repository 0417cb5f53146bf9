import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { searchSql } from '../../src/store/search-sql.js';
import { KEY_BATCH_ROWS, TAIL_INDEX_MS } from '../../src/store/sqlite/key-batch.js';
import { KeyIndexer } from '../../src/store/sqlite/key-indexer.js';
import { SQLITE_SEARCH } from '../../src/store/sqlite/search-dialect.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { EntryFilter, NewEntry, StoredEntry } from '../../src/store/store.js';
import { tempDir } from '../support/test-server.js';

/**
 * Migration 14: actor and target ids are keyed in tables the writer fills behind the log;
 * migration 16 leads each key by its seq's bucket. Searches must find every entry whether its
 * keys are written yet or not, in whichever bucket.
 */
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** One actor with a single entry near the start: finding it walks every bucket. */
const RARE_SEQ = 17;

function entry(seq: number): NewEntry {
  const actorId = seq === RARE_SEQ ? 'u-rare' : `u-${(seq * 7) % 13}`;
  const targetId = seq % 5 === 0 ? null : `t-${(seq * 3) % 17}`;
  // Event times out of seq order, with ties, so the time order's seq tiebreak matters.
  const timeMs = T0 + ((seq * 11) % 29) * 60_000;
  const action = seq % 3 === 0 ? 'customer.read' : 'invoice.read';
  const record = JSON.stringify({ id: `id-${seq}`, actor: { id: actorId }, action, seq });
  return {
    seq,
    id: `id-${seq}`,
    source: 'app',
    leafHash: new Uint8Array(32).fill(seq % 256),
    record,
    actorId,
    action,
    targetType: targetId === null ? null : 'thing',
    targetId,
    outcome: 'success',
    timeMs,
    receivedAtMs: T0 + seq,
  };
}

async function append(store: SqliteStore, from: number, n: number): Promise<void> {
  await store.append(async (tx) => {
    const entries = Array.from({ length: n }, (_, i) => entry(from + i));
    await tx.insert({
      entries,
      nodes: [],
      checkpoint: { size: from + n, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: 0 },
    });
  });
}

const FILTERS: EntryFilter[] = [
  { actor: 'u-3', limit: 7 },
  { actor: 'u-3', limit: 500 },
  { actor: 'u-3', order: 'time', limit: 7 },
  { actor: 'u-3', order: 'time', before: { timeMs: T0 + 14 * 60_000, seq: 200 }, limit: 9 },
  { actor: 'u-5', order: 'time', timeFromMs: T0 + 60_000 * 3, timeToMs: T0 + 60_000 * 9, limit: 8 },
  { actor: 'u-5', action: 'customer.read', limit: 6 },
  { actor: 'u-5', fromSeq: 40, toSeq: 300, limit: 6 },
  { actor: 'u-1', target: 't-4', limit: 5 },
  { target: 't-4', limit: 7 },
  { target: 't-4', toSeq: 150, limit: 7 },
  { target: 't-4', order: 'time', limit: 7 },
  { targetPrefix: 't-1', limit: 11 },
  { targetPrefix: 't-1', order: 'time', limit: 11 },
  { actor: 'u-rare', limit: 5 },
];

/** Searches whose pages cross bucket boundaries (65,536 entries each, migration 16). */
const BUCKET_FILTERS: EntryFilter[] = [
  ...FILTERS,
  { actor: 'u-3', limit: 20_000 },
  { actor: 'u-3', fromSeq: 65_000, toSeq: 131_500, limit: 500 },
  { actor: 'u-3', toSeq: 131_072, limit: 3 },
  { actor: 'u-3', toSeq: 131_073, limit: 3 },
  { target: 't-4', toSeq: 65_537, limit: 30 },
  { target: 't-4', fromSeq: 131_071, limit: 100_000 },
  { actor: 'u-3', order: 'time', limit: 50 },
  {
    actor: 'u-5',
    order: 'time',
    timeFromMs: T0 + 60_000 * 3,
    timeToMs: T0 + 60_000 * 4,
    limit: 2_000,
  },
  { targetPrefix: 't-1', limit: 300 },
];

/** What a search must answer, computed from the entries themselves. */
function expected(all: NewEntry[], f: EntryFilter): number[] {
  const hits = all.filter(
    (e) =>
      (f.actor === undefined || e.actorId === f.actor) &&
      (f.target === undefined || e.targetId === f.target) &&
      (f.targetPrefix === undefined || (e.targetId ?? '').startsWith(f.targetPrefix)) &&
      (f.targetPrefix === undefined || e.targetId !== null) &&
      (f.action === undefined || e.action === f.action) &&
      (f.fromSeq === undefined || e.seq >= f.fromSeq) &&
      (f.toSeq === undefined || e.seq < f.toSeq) &&
      (f.timeFromMs === undefined || e.timeMs >= f.timeFromMs) &&
      (f.timeToMs === undefined || e.timeMs <= f.timeToMs) &&
      (f.before === undefined ||
        e.timeMs < f.before.timeMs ||
        (e.timeMs === f.before.timeMs && e.seq < f.before.seq)),
  );
  hits.sort((a, b) => (f.order === 'time' ? b.timeMs - a.timeMs || b.seq - a.seq : b.seq - a.seq));
  return hits.slice(0, f.limit).map((e) => e.seq);
}

async function assertComplete(
  store: SqliteStore,
  count: number,
  when: string,
  filters = FILTERS,
): Promise<void> {
  const all = Array.from({ length: count }, (_, seq) => entry(seq));
  for (const f of filters) {
    const got = (await store.search(f)).map((e: StoredEntry) => e.seq);
    assert.deepEqual(got, expected(all, f), `${when}: ${JSON.stringify(f)}`);
    const facets = await store.searchFacets(f, { top: 3 });
    assert.equal(facets.scanned, expected(all, f).length, `${when}, facets: ${JSON.stringify(f)}`);
  }
}

function indexedBelow(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number(
      (db.prepare('SELECT indexed_below AS n FROM entry_keys_position').get() as { n: number }).n,
    );
  } finally {
    db.close();
  }
}

/** The writer's indexer, run from another connection as the writer thread would. */
function indexNow(file: string): number {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  try {
    return new KeyIndexer(db, 1).run(true);
  } finally {
    db.close();
  }
}

describe('SQLite key tables (migrations 14 and 16)', () => {
  it('finds entries appended a moment ago, before their keys are written', async () => {
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    try {
      await append(store, 0, 120);
      await append(store, 120, 90);
      assert.equal(indexedBelow(file), 0, 'a small tail waits for a batch or for TAIL_INDEX_MS');
      await assertComplete(store, 210, 'all in the tail');
    } finally {
      await store.close();
    }
  });

  it('keys a small tail within TAIL_INDEX_MS however steadily commits keep coming', async () => {
    // A steady trickle (every audited read appends one event) never leaves the writer idle;
    // the tail must still be keyed, or every actor and target search scans up to a batch.
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    try {
      const started = Date.now();
      let next = 0;
      // Commits keep coming throughout: 3 entries every 50 ms, far below a batch.
      while (indexedBelow(file) === 0 && Date.now() - started < TAIL_INDEX_MS * 4) {
        await append(store, next, 3);
        next += 3;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const keyed = indexedBelow(file);
      assert.ok(keyed > 0, `no key batch in ${Date.now() - started} ms of steady commits`);
      assert.ok(keyed < KEY_BATCH_ROWS, 'keyed by age, not by a full batch');
      await assertComplete(store, next, 'part keyed by age, part in the tail');
    } finally {
      await store.close();
    }
  });

  it('finds everything when part is keyed and part is still in the tail', async () => {
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    try {
      await append(store, 0, 250);
      assert.equal(indexNow(file), 250);
      assert.equal(indexedBelow(file), 250);
      await assertComplete(store, 250, 'all keyed');
      await append(store, 250, 160);
      await assertComplete(store, 410, 'keyed and tail');
      assert.equal(indexNow(file), 160);
      await assertComplete(store, 410, 'keyed again');
    } finally {
      await store.close();
    }
  });

  it('after a crash between an append and its key batch, reopening finds everything and the next batch catches up', async () => {
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    await append(store, 0, 100);
    assert.equal(indexNow(file), 100);
    await append(store, 100, 140);
    await store.close();
    // A key batch cut off by a crash: its keys never commit.
    const crashed = new Database(file);
    crashed.exec('BEGIN IMMEDIATE');
    crashed.exec(
      'INSERT INTO entry_actor_keys SELECT seq >> 16, actor_id, seq FROM entries WHERE seq >= 100 AND seq < 170',
    );
    crashed.close();
    assert.equal(indexedBelow(file), 100);
    const reopened = SqliteStore.open(file);
    try {
      await assertComplete(reopened, 240, 'after the crash');
      assert.equal(indexNow(file), 140);
      await assertComplete(reopened, 240, 'after catching up');
      const db = new Database(file, { readonly: true });
      const keyed = db.prepare('SELECT count(*) AS n FROM entry_actor_keys').get() as { n: number };
      db.close();
      assert.equal(Number(keyed.n), 240, 'each entry keyed exactly once');
    } finally {
      await reopened.close();
    }
  });

  it('finds everything across buckets, keyed and in the tail, newest first', async () => {
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    try {
      const keyed = 200_000;
      for (let from = 0; from < keyed; from += 20_000) await append(store, from, 20_000);
      // The writer keys each append of 20,000 itself (a batch is 4,096); this keys the rest.
      indexNow(file);
      assert.equal(indexedBelow(file), keyed);
      const db = new Database(file, { readonly: true });
      const buckets = db
        .prepare('SELECT DISTINCT bucket FROM entry_actor_keys ORDER BY bucket')
        .all()
        .map((r) => (r as { bucket: number }).bucket);
      db.close();
      assert.deepEqual(buckets, [0, 1, 2, 3], 'keys led by seq >> 16');
      await assertComplete(store, keyed, 'four buckets keyed', BUCKET_FILTERS);
      await append(store, keyed, 3_000);
      await assertComplete(store, keyed + 3_000, 'four buckets and a tail', BUCKET_FILTERS);
    } finally {
      await store.close();
    }
  });

  it('plans every keyed search as key-table and seq-range walks, never a scan of entries', async () => {
    const file = `${tempDir()}/evident.db`;
    const store = SqliteStore.open(file);
    await append(store, 0, 50);
    await store.close();
    const db = new Database(file, { readonly: true });
    db.function('evident_ip_in', () => 0);
    try {
      for (const f of FILTERS) {
        const { text, values } = searchSql(f, 'seq', 'entries', SQLITE_SEARCH);
        const plan = (
          db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as { detail: string }[]
        )
          .map((r) => r.detail)
          .join('; ');
        assert.doesNotMatch(plan, /SCAN entries(?! USING)/, `${JSON.stringify(f)}: ${plan}`);
        // A target prefix by event time walks entries_time instead (stopping at the limit).
        if (f.order === 'time' && f.targetPrefix !== undefined) assert.match(plan, /entries_time/);
        else assert.match(plan, /entry_(actor|actor_time|target)_keys/, JSON.stringify(f));
        // One actor's or target's newest entries: a seek per bucket, newest bucket first,
        // stopping at the limit; nothing is sorted.
        if (f.order !== 'time' && (f.actor !== undefined || f.target !== undefined))
          assert.doesNotMatch(plan, /TEMP B-TREE/, `${JSON.stringify(f)}: ${plan}`);
      }
    } finally {
      db.close();
    }
  });
});
