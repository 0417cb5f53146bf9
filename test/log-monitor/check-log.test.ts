/**
 * The log monitor against real servers: a log, a fork of it (a copy of its data folder, so
 * the same log key, grown with other events) and a rolled-back copy (an older snapshot of the
 * folder served again). The monitor must accept the honest log as it grows and name the fork
 * and the rollback, by library call and through the CLI with a webhook.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ulid } from 'ulid';
import { ApiClient } from '../../src/client/api-client.js';
import { formatCosignatureVerifierKey } from '../../src/core/cosignature.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { parseWitnessPolicy } from '../../src/core/witness-policy.js';
import { checkLog } from '../../src/log-monitor/check-log.js';
import {
  type MonitorState,
  readMonitorState,
  writeMonitorState,
} from '../../src/log-monitor/monitor-state.js';
import { sampleEvent } from '../support/http.js';
import { runCli } from '../support/processes.js';
import { ADMIN_TOKEN, type TestServer, tempDir, testServer } from '../support/test-server.js';

interface Served {
  t: TestServer;
  url: string;
  client: ApiClient;
}

async function serve(dir: string): Promise<Served> {
  const t = await testServer({ dir });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { t, url, client: new ApiClient({ baseUrl: url, token: ADMIN_TOKEN }) };
}

async function ingest(t: TestServer, from: number, count: number, tag: string): Promise<void> {
  const key = await t.ingestKey(`app-${tag}-${from}`);
  const events = Array.from({ length: count }, (_, i) => ({
    // Explicit ids: a reopened test server's id generator starts again from the same clock.
    ...sampleEvent(from + i, ulid()),
    reason: tag,
  }));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...key, 'content-type': 'application/json' },
    payload: JSON.stringify(events),
  });
  assert.equal(res.statusCode, 201, res.body);
}

const now = () => new Date('2026-12-01T12:00:00.000Z');

describe('evident monitor-log', () => {
  const root = tempDir('evident-monitor-');
  const dirs = { log: join(root, 'log'), snapshot: join(root, 'snap'), fork: join(root, 'fork') };
  let honest: Served;
  let forked: Served;
  let rolledBack: Served;
  let seen: MonitorState;

  before(async () => {
    const first = await testServer({ dir: dirs.log });
    await ingest(first, 0, 5, 'before');
    await first.close();
    // The stolen key travels with the folder: both copies sign as the real log.
    cpSync(dirs.log, dirs.snapshot, { recursive: true });
    cpSync(dirs.log, dirs.fork, { recursive: true });
    honest = await serve(dirs.log);
    await ingest(honest.t, 5, 5, 'honest');
  });

  after(async () => {
    for (const s of [honest, forked, rolledBack]) await s?.t.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the first look remembers the checkpoint; later looks accept a log that only grew', async () => {
    const first = await checkLog(honest.client, { url: honest.url, previous: undefined, now });
    assert.deepEqual(first.findings, []);
    assert.ok(first.state && first.state.size >= 10);
    await ingest(honest.t, 10, 3, 'honest');
    const second = await checkLog(honest.client, { url: honest.url, previous: first.state, now });
    assert.deepEqual(second.findings, []);
    assert.ok(second.state!.size > first.state!.size);
    seen = second.state!;
  });

  test('a fork (a copy of the folder grown with other events, same key) is named', async () => {
    forked = await serve(dirs.fork);
    await ingest(forked.t, 5, 20, 'forged');
    const look = await checkLog(forked.client, { url: forked.url, previous: seen, now });
    assert.deepEqual(
      look.findings.map((f) => f.kind),
      ['fork'],
    );
    assert.match(look.findings[0]!.message, /does NOT extend the checkpoint of size \d+/);
    assert.equal(look.state, seen, 'the monitor keeps remembering the honest checkpoint');
  });

  test('a rolled-back folder served again is named', async () => {
    rolledBack = await serve(dirs.snapshot);
    const look = await checkLog(rolledBack.client, { url: rolledBack.url, previous: seen, now });
    assert.deepEqual(
      look.findings.map((f) => f.kind),
      ['rollback'],
    );
    assert.match(look.findings[0]!.message, /fewer than the checkpoint of size/);
  });

  test('with a witness policy, a checkpoint without cosignatures is named', async () => {
    const vkey = formatCosignatureVerifierKey('w.test/1', publicKeyFromSeed(new Uint8Array(32)));
    const policy = parseWitnessPolicy(`witness ${vkey}\nquorum 1\n`);
    const look = await checkLog(honest.client, { url: honest.url, previous: seen, policy, now });
    assert.deepEqual(
      look.findings.map((f) => f.kind),
      ['missing_cosignature'],
    );
    assert.match(look.findings[0]!.message, /no cosignature from w\.test\/1/);
  });

  test('the CLI exits 2, names the fork and posts it to the webhook; the state file is kept', async () => {
    const received: unknown[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const address = hook.address();
    const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
    const state = join(root, 'monitor.json');
    try {
      const clean = await runCli([
        'monitor-log',
        '--url',
        honest.url,
        '--state',
        state,
        '--once',
        '-t',
        ADMIN_TOKEN,
      ]);
      assert.equal(clean.code, 0, clean.stderr);
      assert.match(clean.stdout, /^OK: evident\.test\/log at size \d+/);
      assert.equal(statSync(state).mode & 0o777, 0o600);
      const before = readMonitorState(state)!;

      const res = await runCli([
        'monitor-log',
        '--url',
        forked.url,
        '--state',
        state,
        '--once',
        '-t',
        ADMIN_TOKEN,
        '--webhook',
        hookUrl,
      ]);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /FINDING \[fork\]/);
      assert.equal(received.length, 1);
      const payload = received[0] as {
        type: string;
        findings: { kind: string }[];
        log_url: string;
      };
      assert.equal(payload.type, 'evident.log_monitor.findings');
      assert.equal(payload.log_url, forked.url);
      assert.deepEqual(
        payload.findings.map((f) => f.kind),
        ['fork'],
      );
      assert.deepEqual(readMonitorState(state), before);
    } finally {
      hook.close();
    }
  });

  test('the state is written whole (no temporary file left)', () => {
    const file = join(root, 'direct.json');
    writeMonitorState(file, seen);
    assert.deepEqual(readMonitorState(file), seen);
    assert.equal(existsSync(`${file}.tmp`), false);
  });
});
