/**
 * Issue #4 item 6, through real processes: `evident keys rotate-log-key` beside a running
 * server, the API and CLI verifiers across rotations, a restart, tampering with a retired
 * key, and (PostgreSQL) a second server that lacks the new key.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openCheckpoint, signCheckpoint } from '../../src/core/checkpoint.js';
import { isCoreError } from '../../src/core/errors.js';
import { parseSignerKey, parseVerifierKey } from '../../src/core/note.js';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN, getJson } from '../support/http.js';
import {
  checkpointWal,
  copyDataDir,
  killAllChildren,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';

interface Rotation {
  handover_size: number;
  event_seq: number;
  retired_key: string;
  current_key: string;
  key_file: string;
  retired_key_file: string;
  handover_checkpoint: string;
}

interface KeysDoc {
  origin: string;
  current: string;
  keys: { verifier_key: string; from_size: number; until_size: number | null }[];
}

const env = { EVIDENT_ADMIN_TOKEN: E2E_ADMIN_TOKEN };

/** Signed by `key` and not by `other` (each checked on its own). */
function signedBy(note: string, key: string, notBy?: string): void {
  openCheckpoint(note, [parseVerifierKey(key)]);
  if (notBy === undefined) return;
  assert.throws(
    () => openCheckpoint(note, [parseVerifierKey(notBy)]),
    (e: unknown) => isCoreError(e, 'UNKNOWN_KEY'),
  );
}

/** An admin search: it appends its audit event, so the log grows by one batch. */
async function touch(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/events?limit=1`, {
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
  });
  await res.text();
  return res.status;
}

async function checkpointOf(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/log/checkpoint`, {
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
  });
  assert.equal(res.status, 200);
  return res.text();
}

async function rotate(args: string[], extraEnv: Record<string, string> = {}): Promise<Rotation> {
  const result = await runCli(['keys', 'rotate-log-key', '--json', ...args], {
    env: { ...env, ...extraEnv },
  });
  assert.equal(result.code, 0, result.stderr + result.stdout);
  return JSON.parse(result.stdout) as Rotation;
}

describe('rotating the log key (SQLite, real processes)', () => {
  let dir: string;
  let server: ServerProcess;
  const scratch: string[] = [];
  let k0: string;
  let first: Rotation;
  let second: Rotation;
  let keptCheckpoint: string;

  before(async () => {
    dir = tempDir();
    server = await startServe({ dataDir: dir, origin: E2E_ORIGIN, adminToken: E2E_ADMIN_TOKEN });
    for (let i = 0; i < 3; i++) assert.equal(await touch(server.url), 200);
    k0 = (await getJson<{ verifier_key: string }>(server.url, '/api/v1/log')).body.verifier_key;
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    for (const d of [dir, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(args, { env });
  const remote = () => ['--url', server.url, '--token', E2E_ADMIN_TOKEN];

  it('rotates beside the running server; the server signs its next batch with the new key only', async () => {
    keptCheckpoint = await checkpointOf(server.url);
    first = await rotate(['--data', dir, '--reason', 'yearly rotation']);
    assert.equal(first.retired_key, k0);
    assert.notEqual(first.current_key, k0);
    signedBy(first.handover_checkpoint, k0);
    signedBy(first.handover_checkpoint, first.current_key);
    assert.equal(readFileSync(first.retired_key_file, 'utf8').includes('PRIVATE+KEY+'), true);

    assert.equal(await touch(server.url), 200);
    const latest = await checkpointOf(server.url);
    signedBy(latest, first.current_key, k0);
    const info = await getJson<{ verifier_key: string }>(server.url, '/api/v1/log');
    assert.equal(info.body.verifier_key, first.current_key);
  });

  it('the rotation is an event of the log, by the operator, naming both keys', async () => {
    const res = await getJson<{ entries: { seq: number; record: Record<string, unknown> }[] }>(
      server.url,
      '/api/v1/events?source=evident&action=log_key.rotate',
    );
    assert.equal(res.status, 200);
    const [entry] = res.body.entries;
    assert.equal(entry?.seq, first.event_seq);
    assert.equal((entry!.record.actor as { type: string }).type, 'operator');
    assert.equal(entry!.record.reason, 'yearly rotation');
    assert.deepEqual(entry!.record.details, {
      old_verifier_key: k0,
      new_verifier_key: first.current_key,
    });
  });

  it('proof with the OLD key pinned still verifies: inclusion, and consistency with a checkpoint kept before', async () => {
    const kept = join(dir, 'kept-checkpoint.txt');
    writeFileSync(kept, keptCheckpoint);
    const since = await cli(['proof', '--since', kept, '--key', k0, ...remote()]);
    assert.equal(since.code, 0, since.stderr);
    assert.match(since.stderr, /^Verified: the log of size \d+ extends your checkpoint/m);
    const inclusion = await cli(['proof', '--seq', '1', '--key', k0, ...remote()]);
    assert.equal(inclusion.code, 0, inclusion.stderr);
    assert.match(inclusion.stderr, /Verified: entry 1 .*through 1 handover checkpoint/);
    const printed = await cli(['checkpoint', ...remote()]);
    assert.equal(printed.code, 0, printed.stderr);
    signedBy(printed.stdout, first.current_key, k0);
  });

  it('after a second rotation GET /api/v1/log/keys (no token) lists three keys, and verify --url chains from the first', async () => {
    second = await rotate(['--data', dir]);
    assert.equal(second.retired_key, first.current_key);
    assert.equal(await touch(server.url), 200);
    const res = await fetch(`${server.url}/api/v1/log/keys`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as KeysDoc;
    assert.equal(doc.origin, E2E_ORIGIN);
    assert.equal(doc.current, second.current_key);
    assert.deepEqual(
      doc.keys.map((k) => [k.verifier_key, k.from_size, k.until_size]),
      [
        [k0, 0, first.handover_size],
        [first.current_key, first.handover_size, second.handover_size],
        [second.current_key, second.handover_size, null],
      ],
    );
    const verify = await cli(['verify', ...remote(), '--key', k0]);
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /^OK: /m);
    assert.match(
      verify.stdout,
      /^Keys: trusted the pinned key [0-9a-f]{8} and, through 2 handover/m,
    );
  });

  it('verify --data passes after two rotations, unpinned and pinned to the first key', async () => {
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.output());
    for (const extra of [[], ['--key', k0], ['--key', second.current_key]]) {
      const verify = await cli(['verify', '--data', dir, ...extra]);
      assert.equal(verify.code, 0, verify.stderr + verify.stdout);
      assert.match(verify.stdout, /^OK: /m);
    }
  });

  it('a restarted server signs with the current key', async () => {
    server = await startServe({ dataDir: dir, adminToken: E2E_ADMIN_TOKEN });
    assert.equal(await touch(server.url), 200);
    signedBy(await checkpointOf(server.url), second.current_key, first.current_key);
    await server.stop();
  });

  it('a checkpoint past its handover re-signed with the retired key is reported as tampering', async () => {
    checkpointWal(dir);
    const copy = copyDataDir(dir);
    scratch.push(copy);
    const retired = parseSignerKey(readFileSync(second.retired_key_file, 'utf8').trim());
    const db = new Database(join(copy, 'evident.db'));
    let size: number;
    try {
      db.exec('DROP TRIGGER IF EXISTS checkpoints_no_update');
      const row = db
        .prepare('SELECT size, root_hash FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1')
        .get(second.handover_size) as { size: number; root_hash: Buffer };
      size = row.size;
      const note = signCheckpoint(
        { origin: E2E_ORIGIN, size, rootHash: row.root_hash, extensions: [] },
        retired,
      );
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, size);
    } finally {
      db.close();
    }
    const verify = await cli(['verify', '--data', copy, '--key', k0]);
    assert.equal(verify.code, 2, verify.stdout);
    assert.match(
      verify.stderr,
      new RegExp(
        `^FAILED: the checkpoint for tree size ${size} .*signs only tree sizes ${first.handover_size}–${second.handover_size}.* \\[checkpoint_invalid\\]$`,
        'm',
      ),
    );
  });
});

describe('rotating the log key with two PostgreSQL servers in different data folders', {
  skip: !PG_ENABLED && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let dirA: string;
  let dirB: string;
  let db: string;
  let drop: () => Promise<void>;
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    db = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
    dirA = tempDir('evident-pg-a-');
    dirB = tempDir('evident-pg-b-');
    const init = await runCli(['init', '--data', dirA, '--origin', 'evident.test/pg-keys'], {
      env: { ...env, EVIDENT_DATABASE_URL: db },
    });
    assert.equal(init.code, 0, init.stderr);
    copyFileSync(join(dirA, 'log.key'), join(dirB, 'log.key'));
    const pgEnv = { ...env, EVIDENT_DATABASE_URL: db };
    [a, b] = await Promise.all([
      startServe({ dataDir: dirA, env: pgEnv }),
      startServe({ dataDir: dirB, env: pgEnv }),
    ]);
  });

  after(async () => {
    await killAllChildren();
    await drop?.();
    for (const d of [dirA, dirB]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('the server without the new key refuses to append (503) until its key file is replaced', async () => {
    assert.equal(await touch(b.url), 200);
    const rotated = await rotate(['--data', dirA, '--db', db]);
    assert.equal(await touch(a.url), 200);
    const refused = await fetch(`${b.url}/api/v1/events?limit=1`, {
      headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
    });
    assert.equal(refused.status, 503);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /rotated/,
    );
    copyFileSync(join(dirA, 'log.key'), join(dirB, 'log.key'));
    assert.equal(await touch(b.url), 200);
    signedBy(await checkpointOf(b.url), rotated.current_key, rotated.retired_key);
  });

  it('with --prepare and the key copied first, both servers carry on through the rotation', async () => {
    const prepared = await runCli(
      ['keys', 'rotate-log-key', '--prepare', '--json', '--data', dirA],
      {
        env: { ...env, EVIDENT_DATABASE_URL: db },
      },
    );
    assert.equal(prepared.code, 0, prepared.stderr);
    const { file, verifier_key } = JSON.parse(prepared.stdout) as {
      file: string;
      verifier_key: string;
    };
    copyFileSync(file, join(dirB, file.slice(file.lastIndexOf('/') + 1)));
    const rotated = await rotate(['--data', dirA], { EVIDENT_DATABASE_URL: db });
    assert.equal(rotated.current_key, verifier_key);
    assert.equal(await touch(b.url), 200);
    signedBy(await checkpointOf(b.url), verifier_key, rotated.retired_key);
    const verify = await runCli(['verify', '--db', db], { timeoutMs: 60_000 });
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
  });
});
