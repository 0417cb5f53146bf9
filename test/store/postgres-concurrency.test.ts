import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSignerKey, parseSignerKey } from '../../src/core/note.js';
import type { SubmittedRecord } from '../../src/core/record/types.js';
import { initLog } from '../../src/log/init-log.js';
import { Sequencer } from '../../src/log/sequencer.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { StoredCheckpoint } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN } from '../support/test-server.js';

/**
 * Two PostgresStore instances (two pools: the stand-in for two server processes) on one
 * schema. Their in-process mutexes are separate, so only the database lock keeps the log
 * linear.
 */
describe('PostgreSQL: appenders in two processes', { skip: !PG_ENABLED }, () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let drop: () => Promise<void>;

  before(async () => {
    const target = await freshPgSchema();
    drop = target.drop;
    // Both open (and so migrate) at once: the migration lock makes that safe.
    [a, b] = await Promise.all([
      PostgresStore.open(target.url, { schema: target.schema, poolSize: 4 }),
      PostgresStore.open(target.url, { schema: target.schema, poolSize: 4 }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const hash = (n: number) => new Uint8Array(32).fill(n % 256);
  const checkpoint = (size: number): StoredCheckpoint => ({
    size,
    rootHash: hash(size),
    note: `note ${size}\n`,
    createdAtMs: 1,
  });

  it('serialises raw appends from both: every one sees the previous head, seqs are dense', async () => {
    await a.append(async (tx) => tx.insert({ entries: [], nodes: [], checkpoint: checkpoint(0) }));
    const perStore = 40;
    const appendNext = (store: PostgresStore, who: string) =>
      store.append(async (tx) => {
        const head = (await tx.head())!;
        // Widen the window between reading the head and writing after it.
        await new Promise((resolve) => setTimeout(resolve, 1));
        const seq = head.size;
        await tx.insert({
          entries: [
            {
              seq,
              id: `${who}-${seq}`,
              source: who,
              leafHash: hash(seq),
              record: `{"seq":${seq}}`,
              actorId: who,
              action: 'x.append',
              targetType: null,
              targetId: null,
              outcome: 'success',
              timeMs: seq,
              receivedAtMs: seq,
            },
          ],
          nodes: [],
          checkpoint: checkpoint(seq + 1),
        });
        return seq;
      });
    const results = await Promise.allSettled([
      ...Array.from({ length: perStore }, () => appendNext(a, 'a')),
      ...Array.from({ length: perStore }, () => appendNext(b, 'b')),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(rejected, [], 'every append succeeds');
    const seqs = results.map((r) => (r as PromiseFulfilledResult<number>).value);
    const expected = Array.from({ length: 2 * perStore }, (_, i) => i);
    assert.deepEqual(
      [...seqs].sort((x, y) => x - y),
      expected,
      'no seq twice, none skipped',
    );
    const stored: number[] = [];
    for await (const page of b.scanEntries(0, 25)) for (const e of page) stored.push(e.seq);
    assert.deepEqual(stored, expected);
    assert.deepEqual(await a.counts(), {
      entries: 2 * perStore,
      nodes: 0,
      checkpoints: 2 * perStore + 1,
      maxSeq: 2 * perStore - 1,
    });
    // Both stores really did write, so the two lock holders did alternate.
    assert.equal((await a.search({ source: 'a', limit: 1000 })).length, perStore);
    assert.equal((await a.search({ source: 'b', limit: 1000 })).length, perStore);
  });
});

describe('PostgreSQL: two sequencers on one log', { skip: !PG_ENABLED }, () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let drop: () => Promise<void>;

  before(async () => {
    const target = await freshPgSchema();
    drop = target.drop;
    a = await PostgresStore.open(target.url, { schema: target.schema });
    b = await PostgresStore.open(target.url, { schema: target.schema });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const record = (n: number, extra: Partial<SubmittedRecord> = {}): SubmittedRecord => ({
    time: '2026-11-22T09:00:00.000Z',
    actor: { id: `u-${n}` },
    action: 'doc.read',
    outcome: 'success',
    ...extra,
  });

  it('interleaves their batches into one tree that verifies, storing a shared id once', async () => {
    const signer = parseSignerKey(generateSignerKey(TEST_ORIGIN));
    const clock = new ManualClock(START_MS);
    // Both "processes" start at once; one of them creates the log, the other finds it.
    await Promise.all([initLog(a, signer, clock), initLog(b, signer, clock)]);
    const sa = new Sequencer(a, signer, TEST_ORIGIN, clock, ulidGenerator());
    const sb = new Sequencer(b, signer, TEST_ORIGIN, clock, ulidGenerator());
    const sharedId = '01JD8X7Q6R3T9V2W4Y5Z6A7B8C';

    const requests = 60;
    const results = await Promise.all(
      Array.from({ length: requests }, (_, i) => {
        const sequencer = i % 2 === 0 ? sa : sb;
        const extra = i % 15 === 0 ? [record(-1, { id: sharedId })] : [];
        if (i % 7 === 0) clock.advance(3);
        return sequencer.append([record(i), record(i + 1000), ...extra], 'app');
      }),
    );

    const fresh = results.flatMap((r) => r.entries.filter((e) => !e.duplicate));
    const total = 2 * requests + 1;
    assert.deepEqual(
      fresh.map((e) => e.seq).sort((x, y) => x - y),
      Array.from({ length: total }, (_, i) => i),
    );
    const shared = results.flatMap((r) => r.entries.filter((e) => e.id === sharedId));
    assert.equal(shared.filter((e) => !e.duplicate).length, 1, 'the shared id is stored once');
    assert.equal(new Set(shared.map((e) => e.seq)).size, 1);

    const report = await verifyStore(b);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.treeSize, total);
    assert.equal((await a.head())!.size, total);
  });
});

/**
 * State compare-and-set between two "processes": separate pools and no shared in-process
 * lock, so only the database decides which writer of a version wins.
 */
describe('PostgreSQL: state writers in two processes', { skip: !PG_ENABLED }, () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let drop: () => Promise<void>;

  before(async () => {
    const target = await freshPgSchema();
    drop = target.drop;
    [a, b] = await Promise.all([
      PostgresStore.open(target.url, { schema: target.schema, poolSize: 6 }),
      PostgresStore.open(target.url, { schema: target.schema, poolSize: 6 }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('lets exactly one creator, replacer or deleter of a version win across both', async () => {
    for (let round = 0; round < 10; round++) {
      const id = `doc-${round}`;
      const created = await Promise.all(
        [a, b, a, b].map((s, i) => s.putState('race', id, `"c${i}"`, 0, round)),
      );
      assert.equal(created.filter(Boolean).length, 1, `one creator in round ${round}`);
      const replaced = await Promise.all(
        [b, a, b, a].map((s, i) => s.putState('race', id, `"r${i}"`, 1, round + 1)),
      );
      assert.equal(replaced.filter(Boolean).length, 1, `one replacer in round ${round}`);
      const seen = (await b.getState('race', id))!;
      assert.deepEqual([seen.value, seen.version], [`"r${replaced.indexOf(true)}"`, 2]);
      const deleted = await Promise.all([a, b, a, b].map((s) => s.deleteState('race', id, 2)));
      assert.equal(deleted.filter(Boolean).length, 1, `one deleter in round ${round}`);
      assert.equal(await a.getState('race', id), undefined);
    }
  });

  it('loses no increment when both re-read and retry on conflict', async () => {
    assert.ok(await a.putState('counter', 'c', '0', 0, 1));
    const increment = async (store: PostgresStore) => {
      for (;;) {
        const current = (await store.getState('counter', 'c'))!;
        const next = String(Number(current.value) + 1);
        if (await store.putState('counter', 'c', next, current.version, 2)) return;
      }
    };
    const perStore = 25;
    await Promise.all(
      Array.from({ length: 2 * perStore }, (_, i) => increment(i % 2 === 0 ? a : b)),
    );
    const final = (await b.getState('counter', 'c'))!;
    assert.deepEqual([final.value, final.version], [String(2 * perStore), 2 * perStore + 1]);
  });
});
