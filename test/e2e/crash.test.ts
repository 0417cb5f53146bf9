/**
 * Invariant 2 under crashes: concurrent clients post events with their own ids, the server
 * is SIGKILLed at a random moment, restarted on the same folder. Every acknowledged event
 * must be there with the seq it was acknowledged with; retrying everything that was sent
 * stores each id exactly once; the folder verifies after every round.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ulid } from 'ulid';
import {
  type AppendResponse,
  allEntries,
  E2E_ADMIN_TOKEN,
  E2E_ORIGIN,
  getJson,
  postEvents,
  postEventsOnce,
  type StoredEvent,
  sampleEvent,
  treeSize,
} from '../support/http.js';
import {
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const ROUNDS = 4;
const CLIENTS = 6;
const SOURCE = 'crash-test';

describe('crash safety: SIGKILL mid-stream, restart, retry', () => {
  let dir: string;
  let key: string;
  const servers: ServerProcess[] = [];
  /** Every event ever sent, by id, exactly as sent (a retry must repeat it byte for byte). */
  const sent = new Map<string, Record<string, unknown>>();
  /** Every id that got a 201, with the seq it was acknowledged with. */
  const acked = new Map<string, number>();
  let counter = 0;

  const start = async () => {
    const server = await startServe({
      dataDir: dir,
      adminToken: E2E_ADMIN_TOKEN,
      origin: E2E_ORIGIN,
    });
    servers.push(server);
    return server;
  };

  before(async () => {
    dir = tempDir();
    const server = await start();
    const created = await runCli(['keys', 'create', '--source', SOURCE, '--data', dir]);
    assert.equal(created.code, 0, created.stderr);
    key = lastLine(created.stdout);
    await server.stop();
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await killAllChildren();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One client: posts small batches of fresh ids until the server goes away. */
  const client = async (
    url: string,
    roundAcks: Map<string, number>,
    problems: string[],
    /**
     * For a graceful stop: a 503 while the server shuts down is retryable, not a failure; and
     * one connection per request, so no idle keep-alive socket holds the stop up (see
     * shutdown.test.ts for that).
     */
    graceful = false,
  ) => {
    for (;;) {
      const size = 1 + Math.floor(Math.random() * 5);
      const batch = Array.from({ length: size }, () => {
        const n = counter++;
        const event = sampleEvent(n, n % 2 === 0 ? ulid() : randomUUID());
        sent.set(event.id as string, event);
        return event;
      });
      let res: Awaited<ReturnType<typeof postEvents>>;
      try {
        res = await (graceful ? postEventsOnce : postEvents)(url, key, batch);
      } catch {
        return; // The server died under us: this batch may or may not be stored.
      }
      if (res.status === 503 && graceful) return;
      if (res.status !== 201) {
        problems.push(`${res.status} ${JSON.stringify(res.body)}`);
        return;
      }
      const body = res.body as AppendResponse;
      const covered = Number(body.checkpoint.split('\n')[1]);
      for (const [i, entry] of body.entries.entries()) {
        if (entry.id !== batch[i]!.id)
          problems.push(`ack ${i} is ${entry.id}, sent ${batch[i]!.id}`);
        if (!(entry.seq < covered))
          problems.push(`seq ${entry.seq} not under checkpoint ${covered}`);
        acked.set(entry.id, entry.seq);
        roundAcks.set(entry.id, entry.seq);
      }
    }
  };

  /** Runs `fn` over `items`, `width` at a time. */
  const pool = async <T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>) => {
    let next = 0;
    const lane = async () => {
      while (next < items.length) await fn(items[next++]!);
    };
    await Promise.all(Array.from({ length: width }, lane));
  };

  const ourEntries = (entries: StoredEvent[]) => entries.filter((e) => e.record.source === SOURCE);

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: no acknowledged event is lost, retries are stored once`, async (t) => {
      const server = await start();
      const roundAcks = new Map<string, number>();
      const problems: string[] = [];
      const clients = Array.from({ length: CLIENTS }, () =>
        client(server.url, roundAcks, problems),
      );

      // Kill at a random moment once events are flowing.
      const deadline = Date.now() + 10_000;
      while (roundAcks.size === 0 && Date.now() < deadline && problems.length === 0) await sleep(5);
      const delay = 20 + Math.floor(Math.random() * 800);
      await sleep(delay);
      await server.kill();
      await Promise.all(clients);
      t.diagnostic(
        `killed ${delay} ms in; ${roundAcks.size} acked this round, ${sent.size} sent in all`,
      );
      assert.deepEqual(problems, []);
      assert.ok(roundAcks.size > 0, 'no event was acknowledged before the kill');

      // The crashed folder verifies as it is (read-only, WAL not yet recovered by a writer).
      const crashed = await runCli(['verify', '--data', dir]);
      assert.equal(crashed.code, 0, `verify after SIGKILL: ${crashed.stderr}`);

      const restarted = await start();
      // Every id acknowledged this round, one by one through the API, at its acknowledged seq.
      await pool([...roundAcks], 8, async ([id, seq]) => {
        const res = await getJson<StoredEvent>(restarted.url, `/api/v1/events/${id}`);
        assert.equal(res.status, 200, `acknowledged ${id} (seq ${seq}) is gone after the crash`);
        assert.equal(res.body.seq, seq, `acknowledged ${id} moved`);
        assert.equal(res.body.record.id, id);
      });
      // And every id acknowledged in any round, from the full log.
      const storedBefore = ourEntries(await allEntries(restarted.url));
      const stored = new Map(storedBefore.map((e) => [e.record.id, e.seq]));
      assert.equal(stored.size, storedBefore.length, 'an id appears twice in the log');
      for (const [id, seq] of acked) assert.equal(stored.get(id), seq, `acknowledged ${id}`);
      for (const id of stored.keys()) assert.ok(sent.has(id), `stored ${id} was never sent`);

      // Retry EVERYTHING ever sent, identically, in different groupings than the originals.
      const missing = [...sent.keys()].filter((id) => !stored.has(id));
      const sizeBefore = await treeSize(restarted.url);
      const all = [...sent.values()];
      const appended = new Set<number>();
      for (let i = 0; i < all.length; i += 250) {
        const res = await postEvents(restarted.url, key, all.slice(i, i + 250));
        assert.equal(res.status, 201, JSON.stringify(res.body));
        for (const entry of (res.body as AppendResponse).entries) {
          const known = stored.get(entry.id);
          if (known !== undefined) assert.equal(entry.seq, known, `retried ${entry.id} moved`);
          else {
            assert.ok(entry.seq >= sizeBefore, `retried ${entry.id} got an old seq`);
            assert.ok(!appended.has(entry.seq), `seq ${entry.seq} handed out twice`);
            appended.add(entry.seq);
          }
        }
      }
      const sizeAfter = await treeSize(restarted.url);
      t.diagnostic(`${missing.length} sent but unstored ids were appended by the retry`);
      // The server writes entries of its own meanwhile (the self-audit of the reads above, a
      // silent-source alert after the restart), so the tree may grow by more than the retry;
      // what the retry itself added is counted in this source's entries.
      const everything = await allEntries(restarted.url);
      const grownBy = everything.filter((e) => e.seq >= sizeBefore && e.seq < sizeAfter);
      const retryGrowth = grownBy.filter((e) => e.record.source === SOURCE).length;
      const others = grownBy
        .filter((e) => e.record.source !== SOURCE)
        .map((e) => `${e.record.source}:${String((e.record as Record<string, unknown>).action)}`);
      if (others.length > 0)
        t.diagnostic(`entries of other sources meanwhile: ${others.join(', ')}`);
      assert.equal(
        retryGrowth,
        missing.length,
        'the retry grew the tree by more than the unstored ids',
      );
      assert.equal(appended.size, missing.length);

      const afterRetry = ourEntries(everything);
      const ids = afterRetry.map((e) => e.record.id);
      assert.equal(new Set(ids).size, ids.length, 'an id appears twice in the log');
      assert.equal(ids.length, sent.size, 'every id sent is stored exactly once');

      const stopped = await restarted.stop();
      assert.equal(stopped.code, 0, restarted.output());
      const verified = await runCli(['verify', '--data', dir]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /^OK: /m);
    });
  }

  it('a graceful stop (SIGTERM) mid-stream also keeps every acknowledged event', async () => {
    const server = await start();
    const roundAcks = new Map<string, number>();
    const problems: string[] = [];
    const clients = Array.from({ length: CLIENTS }, () =>
      client(server.url, roundAcks, problems, true),
    );
    while (roundAcks.size === 0 && problems.length === 0) await sleep(5);
    await sleep(Math.floor(Math.random() * 300));
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.output());
    await Promise.all(clients);
    assert.deepEqual(problems, []);

    const verified = await runCli(['verify', '--data', dir]);
    assert.equal(verified.code, 0, verified.stderr);
    const restarted = await start();
    const stored = new Map(
      ourEntries(await allEntries(restarted.url)).map((e) => [e.record.id, e.seq]),
    );
    for (const [id, seq] of acked) assert.equal(stored.get(id), seq, `acknowledged ${id}`);
    await restarted.stop();
  });
});
