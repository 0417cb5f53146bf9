import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { EntryFilter, NewEntry, Store } from '../../src/store/store.js';
import { parseIpNetwork } from '../../src/util/ip-network.js';
import { STORES } from '../support/stores.js';
import { tempDir } from '../support/test-server.js';

/** Store conformance for the event-time, prefix, actor-name and ip filters (both adapters). */
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

interface Spec {
  actor: string;
  name?: string;
  ip?: string;
  action: string;
  target?: string;
  /** Event time, days after T0. */
  day: number;
}

/** Seq order is arrival order; event times deliberately out of order (an import). */
const SPECS: Spec[] = [
  { actor: 'u-1', name: 'Ada', ip: '10.0.0.7', action: 'customer.read', target: 'c-1', day: 5 },
  { actor: 'u-2', name: 'Bob', ip: '10.1.2.3', action: 'customer.update', target: 'c-10', day: 1 },
  { actor: 'u-1', name: 'Ada', ip: '2001:db8::7', action: 'invoice.read', target: 'i-1', day: 3 },
  { actor: 'u-3', ip: '192.168.1.9', action: 'customer.read', target: 'c_2', day: 3 },
  { actor: 'u-1', name: 'Ada', action: 'customers.list', day: 9 },
  { actor: 'u-2', name: 'Bob', ip: '2001:db9::1', action: 'session.start', day: 0 },
];

function entry(seq: number, s: Spec): NewEntry {
  const timeMs = T0 + s.day * DAY;
  const record = {
    action: s.action,
    actor: { id: s.actor, ...(s.name ? { name: s.name } : {}), ...(s.ip ? { ip: s.ip } : {}) },
    id: `id-${seq}`,
    outcome: 'success',
    source: 'app',
    ...(s.target ? { target: { id: s.target, type: 'thing' } } : {}),
    time: new Date(timeMs).toISOString(),
  };
  return {
    seq,
    id: `id-${seq}`,
    source: 'app',
    leafHash: new Uint8Array(32).fill(seq),
    record: JSON.stringify(record),
    actorId: s.actor,
    action: s.action,
    targetType: s.target ? 'thing' : null,
    targetId: s.target ?? null,
    outcome: 'success',
    timeMs,
    receivedAtMs: T0 + 40 * DAY + seq,
  };
}

for (const factory of STORES) {
  describe(`Store search filters: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const seqs = async (filter: Partial<EntryFilter>) =>
      (await store.search({ limit: 100, ...filter })).map((e) => e.seq);

    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.append(async (tx) => {
        await tx.insert({
          entries: SPECS.map((s, i) => entry(i, s)),
          nodes: [],
          checkpoint: {
            size: SPECS.length,
            rootHash: new Uint8Array(32),
            note: 'n\n',
            createdAtMs: 0,
          },
        });
      });
    });
    after(async () => dispose());

    it('orders by event time, newest first, and pages by (time, seq)', async () => {
      assert.deepEqual(await seqs({ order: 'time' }), [4, 0, 3, 2, 1, 5]);
      const first = await store.search({ order: 'time', limit: 3 });
      assert.deepEqual(
        first.map((e) => e.seq),
        [4, 0, 3],
      );
      const last = first[2]!;
      // Seqs 2 and 3 share a time: the tie is broken by seq, so no entry is lost or repeated.
      assert.deepEqual(
        await seqs({ order: 'time', before: { timeMs: last.timeMs, seq: last.seq } }),
        [2, 1, 5],
      );
    });

    it('filters on the event time range, inclusive at both ends', async () => {
      assert.deepEqual(
        await seqs({ order: 'time', timeFromMs: T0 + DAY, timeToMs: T0 + 3 * DAY }),
        [3, 2, 1],
      );
      assert.deepEqual(
        await seqs({ actor: 'u-1', order: 'time', timeFromMs: T0 + 4 * DAY }),
        [4, 0],
      );
      assert.deepEqual(await seqs({ timeFromMs: T0 + 100 * DAY }), []);
    });

    it('matches prefixes of action and target as ranges, with no wildcard characters', async () => {
      assert.deepEqual(await seqs({ actionPrefix: 'customer.' }), [3, 1, 0]);
      assert.deepEqual(await seqs({ actionPrefix: 'customer' }), [4, 3, 1, 0]);
      assert.deepEqual(await seqs({ targetPrefix: 'c-1' }), [1, 0]);
      // "_" and "%" are plain characters here, never LIKE wildcards.
      assert.deepEqual(await seqs({ targetPrefix: 'c_' }), [3]);
      assert.deepEqual(await seqs({ targetPrefix: 'c%' }), []);
    });

    it('finds an actor by name', async () => {
      assert.deepEqual(await seqs({ actorName: 'Ada' }), [4, 2, 0]);
      assert.deepEqual(await seqs({ actorName: 'ada' }), []);
    });

    it('matches actor.ip exactly and by CIDR, IPv4 and IPv6', async () => {
      const ip = (text: string) => seqs({ ip: parseIpNetwork(text)! });
      assert.deepEqual(await ip('10.0.0.7'), [0]);
      assert.deepEqual(await ip('10.0.0.0/8'), [1, 0]);
      assert.deepEqual(await ip('10.9.9.9/8'), [1, 0]);
      assert.deepEqual(await ip('2001:0db8::0007'), [2]);
      assert.deepEqual(await ip('2001:db8::/32'), [2]);
      assert.deepEqual(await ip('2001:db8::/31'), [5, 2]);
      assert.deepEqual(await ip('0.0.0.0/0'), [3, 1, 0]);
    });
  });
}

for (const factory of STORES) {
  describe(`Store search with a prefix that matches most of the log: ${factory.name}`, () => {
    it('still answers newest first, exactly (the adapter may skip the prefix index)', async () => {
      const { store, dispose } = await factory.create();
      try {
        const n = 10_050;
        await store.append(async (tx) => {
          const entries = Array.from({ length: n }, (_, seq) => ({
            ...entry(seq, {
              ...SPECS[0]!,
              action: seq % 10 === 0 ? 'invoice.read' : 'customer.read',
            }),
          }));
          await tx.insert({
            entries,
            nodes: [],
            checkpoint: { size: n, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: 0 },
          });
        });
        const seqs = async (filter: Partial<EntryFilter>) =>
          (await store.search({ limit: 3, ...filter })).map((e) => e.seq);
        assert.deepEqual(await seqs({ actionPrefix: 'customer.' }), [n - 1, n - 2, n - 3]);
        assert.deepEqual(await seqs({ actionPrefix: 'invoice.' }), [n - 10, n - 20, n - 30]);
        assert.deepEqual(await seqs({ actionPrefix: 'customer.', toSeq: 100 }), [99, 98, 97]);
        assert.deepEqual(await seqs({ actionPrefix: 'customer.', targetPrefix: 'c-1' }), [
          n - 1,
          n - 2,
          n - 3,
        ]);
      } finally {
        await dispose();
      }
    });
  });
}

describe('SQLite migration 3 on an existing data folder', () => {
  it('adds the event-time indexes to a folder written before them, keeping its entries', async () => {
    const dir = tempDir();
    const file = `${dir}/evident.db`;
    const old = new Database(file);
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)',
    );
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version < 3)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const e = entry(0, SPECS[0]!);
    old
      .prepare(
        'INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
      )
      .run(
        0,
        e.id,
        e.source,
        e.actorId,
        e.action,
        e.targetType,
        e.targetId,
        e.outcome,
        e.timeMs,
        e.receivedAtMs,
        e.record,
        Buffer.from(e.leafHash),
      );
    old.close();

    const store = SqliteStore.open(file);
    try {
      assert.deepEqual(
        (await store.search({ order: 'time', actor: 'u-1', timeFromMs: T0, limit: 5 })).map(
          (x) => x.seq,
        ),
        [0],
      );
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'entries_%time'")
      .all()
      .map((r) => (r as { name: string }).name)
      .sort();
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT entry_seq FROM entry_actor_time_keys WHERE bucket = ? AND actor = ? AND time >= ? ORDER BY time DESC, entry_seq DESC LIMIT 10',
      )
      .all(0, 'u-1', 0)
      .map((r) => (r as { detail: string }).detail)
      .join('; ');
    db.close();
    // Migration 14 moved (actor, time) to a key table filled behind the log; migration 16
    // leads it by bucket, in which one actor's keys are in time order.
    assert.deepEqual(indexes, ['entries_time']);
    assert.match(plan, /entry_actor_time_keys/);
    assert.doesNotMatch(plan, /TEMP B-TREE/);
  });
});
