import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { allEntries, E2E_ADMIN_TOKEN, postEvents, sampleEvent } from '../support/http.js';
import {
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';

/**
 * Issue #3: several `evident serve` processes on one PostgreSQL log. Appends are serialised
 * in the database, so however the load is spread the tree never forks and no seq is reused;
 * killing the process that is appending loses nothing that was acknowledged.
 */
describe('PostgreSQL: several server processes on one log', {
  skip: !PG_ENABLED && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let dir: string;
  let db: string;
  let drop: () => Promise<void>;
  let servers: ServerProcess[] = [];
  let key: string;

  before(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    db = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
    dir = tempDir('evident-pg-');
    const env = { EVIDENT_DATABASE_URL: db, EVIDENT_ADMIN_TOKEN: E2E_ADMIN_TOKEN };
    const init = await runCli(['init', '--data', dir, '--origin', 'evident.test/pg'], { env });
    assert.equal(init.code, 0, init.stderr);
    const created = await runCli(['keys', 'create', '--source', 'multi', '--data', dir], { env });
    assert.equal(created.code, 0, created.stderr);
    key = lastLine(created.stdout).trim();
    servers = await Promise.all([0, 1, 2].map(() => startServe({ dataDir: dir, env })));
  });

  after(async () => {
    await killAllChildren();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `rounds` batches per client through `server`; returns every acknowledged id → seq. */
  async function load(
    server: ServerProcess,
    clients: number,
    rounds: number,
    acked: Map<string, number>,
  ) {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let r = 0; r < rounds; r++) {
          const batch = Array.from({ length: 10 }, (_, i) => sampleEvent(r * 10 + i, randomUUID()));
          let res: Awaited<ReturnType<typeof postEvents>>;
          try {
            res = await postEvents(server.url, key, batch);
          } catch {
            return; // the server was killed under us: that request was never acknowledged
          }
          if (res.status !== 201) return;
          for (const e of (res.body as { entries: { id: string; seq: number }[] }).entries)
            acked.set(e.id, e.seq);
        }
      }),
    );
  }

  async function checkLog(acked: Map<string, number>, via: ServerProcess) {
    const entries = await allEntries(via.url);
    for (const [i, e] of entries.entries()) assert.equal(e.seq, i, 'seqs are dense');
    const seen = new Map<string, number>();
    for (const e of entries) {
      assert.equal(seen.has(e.record.id), false, `id ${e.record.id} appears twice`);
      seen.set(e.record.id, e.seq);
    }
    for (const [id, seq] of acked)
      assert.equal(seen.get(id), seq, `acknowledged ${id} is at its seq`);
    const verify = await runCli(['verify', '--db', db], { timeoutMs: 60_000 });
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /^OK:/m);
  }

  it('three processes ingesting concurrently build one tree: every ack present once, seqs dense, everything verifies', async () => {
    const acked = new Map<string, number>();
    await Promise.all(servers.map((s) => load(s, 4, 8, acked)));
    assert.equal(acked.size, 3 * 4 * 8 * 10);
    await checkLog(acked, servers[0]!);
  });

  it('SIGKILL of a process mid-stream loses nothing acknowledged; the others carry on', async () => {
    const acked = new Map<string, number>();
    const victim = servers[1]!;
    const streams = servers.map((s) => load(s, 3, 15, acked));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await victim.kill();
    await Promise.all(streams);
    const survivors = servers.filter((s) => s !== victim);
    // The survivors kept accepting after the kill.
    const after = new Map<string, number>();
    await Promise.all(survivors.map((s) => load(s, 2, 3, after)));
    assert.equal(after.size, 2 * 2 * 3 * 10);
    for (const [id, seq] of after) acked.set(id, seq);
    await checkLog(acked, survivors[0]!);
  });
});
