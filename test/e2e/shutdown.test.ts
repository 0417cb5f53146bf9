/**
 * `evident serve` stops promptly on SIGTERM (container runtimes SIGKILL after 10 s) even when
 * its clients are Node's own fetch, which keeps sockets alive in a pool, like the CLI does.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { E2E_ADMIN_TOKEN, postEvents, sampleEvent } from '../support/http.js';
import {
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const STOP_BUDGET_MS = 10_000;

describe('graceful shutdown', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;

  after(async () => {
    await server?.kill();
    await killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM while fetch clients are mid-request exits within 10 s', async () => {
    server = await startServe({ dataDir: dir, adminToken: E2E_ADMIN_TOKEN });
    const created = await runCli(['keys', 'create', '--source', 'app', '--data', dir]);
    assert.equal(created.code, 0, created.stderr);
    const key = lastLine(created.stdout);
    const url = server.url;
    let acked = 0;
    const client = async () => {
      for (let n = 0; ; n++) {
        try {
          const res = await postEvents(url, key, [sampleEvent(n, randomUUID())]);
          if (res.status !== 201) return;
          acked++;
        } catch {
          return;
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);
    while (acked < 20) await sleep(5);

    const started = Date.now();
    const stopped = await server.stop(STOP_BUDGET_MS);
    const took = Date.now() - started;
    await Promise.all(clients);
    assert.equal(stopped.code, 0, `SIGTERM took ${took} ms; ${server.output()}`);
    assert.ok(took < STOP_BUDGET_MS, `SIGTERM took ${took} ms`);
  });
});
