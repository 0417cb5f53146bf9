/**
 * A log and three witnesses as separate processes on loopback. The log submits its
 * checkpoints asynchronously; the witnesses cosign under concurrent ingest, one is killed and
 * restarted mid-stream and caught up by a consistency proof from the size it remembers. Then
 * the log's folder is copied, its history rewritten and re-signed with the stolen key: every
 * witness refuses it, and `evident verify --witness-policy` names it.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ulid } from 'ulid';
import { checkCosignatures, parseWitnessPolicy } from '../../src/core/witness-policy.js';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN, postEvents, sampleEvent } from '../support/http.js';
import {
  checkpointWal,
  freePort,
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startListening,
  startServe,
  tempDir,
} from '../support/processes.js';

const NO_MONITOR = { EVIDENT_MONITOR: 'off' };

describe('a log witnessed by three witness processes', () => {
  const root = tempDir('evident-witnessed-');
  const logDir = join(root, 'log');
  const policyFile = join(root, 'policy.txt');
  const snapshotDir = join(root, 'snapshot');
  const witnesses: { dir: string; port: number; process: ServerProcess; name: string }[] = [];
  let log: ServerProcess;
  let ingestKey: string;
  let sent = 0;

  async function startWitness(i: number, configFile: string): Promise<ServerProcess> {
    const w = witnesses[i]!;
    const args = ['witness', 'serve', '--name', w.name, '--config', configFile];
    args.push('--data', w.dir, '--port', String(w.port));
    return startListening(args, { dataDir: w.dir }, w.port);
  }

  async function ingest(batches: number, perBatch: number): Promise<void> {
    // Concurrent requests: several group commits race, each signs its own checkpoint.
    await Promise.all(
      Array.from({ length: batches }, async () => {
        const events = Array.from({ length: perBatch }, () => sampleEvent(sent++, ulid()));
        const res = await postEvents(log.url, ingestKey, events);
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }),
    );
  }

  async function servedCheckpoint(url: string): Promise<string> {
    const res = await fetch(`${url}/api/v1/log/checkpoint`, {
      headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 200);
    return res.text();
  }

  /** Waits until the head checkpoint carries cosignatures from exactly `names`. */
  async function cosignedBy(names: string[], timeoutMs = 15_000): Promise<string> {
    const policy = parseWitnessPolicy(readFileSync(policyFile, 'utf8'));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const note = await servedCheckpoint(log.url);
      const verdict = checkCosignatures(note, policy);
      if (names.every((n) => verdict.signed.includes(n))) return note;
      if (Date.now() > deadline) {
        assert.fail(
          `head not cosigned by ${names.join(', ')}: ${JSON.stringify(verdict)}\n${log.output()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    const init = await runCli(['init', '--data', logDir, '--origin', E2E_ORIGIN], {
      env: { EVIDENT_ADMIN_TOKEN: E2E_ADMIN_TOKEN },
    });
    assert.equal(init.code, 0, init.stderr);
    const logKey = /verifier key: (\S+)/.exec(init.stdout)![1]!;
    // What an administrator with root keeps aside: the folder, with the log's signing key.
    cpSync(logDir, snapshotDir, { recursive: true });
    const config = join(root, 'witness.conf');
    writeFileSync(config, `# the log these witnesses cosign\nlog ${logKey}\n`);
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) {
      witnesses.push({
        dir: join(root, `w${i + 1}`),
        port: await freePort(),
        name: `w${i + 1}.test/witness`,
        process: undefined as unknown as ServerProcess,
      });
      const p = await startWitness(i, config);
      witnesses[i]!.process = p;
      const vkey = (await p.waitFor(/witness key \(new\): (\S+)/))[1]!;
      lines.push(`witness ${vkey} ${p.url}`);
    }
    writeFileSync(policyFile, `${lines.join('\n')}\nquorum 2\n`);
    log = await startServe({
      dataDir: logDir,
      adminToken: E2E_ADMIN_TOKEN,
      env: { ...NO_MONITOR, EVIDENT_WITNESS_POLICY: policyFile },
    });
    const keyed = await runCli(['keys', 'create', '--source', 'billing-api', '--data', logDir]);
    assert.equal(keyed.code, 0, keyed.stderr);
    ingestKey = lastLine(keyed.stdout);
  });

  after(async () => {
    await killAllChildren();
    rmSync(root, { recursive: true, force: true });
  });

  it('all three witnesses cosign the checkpoints of a log under concurrent ingest', async () => {
    await ingest(8, 25);
    const note = await cosignedBy(['w1.test/witness', 'w2.test/witness', 'w3.test/witness']);
    const verify = await runCli([
      'verify',
      '--url',
      log.url,
      '-t',
      E2E_ADMIN_TOKEN,
      '--witness-policy',
      policyFile,
    ]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /Witnesses: cosigned by [23] witness\(es\)/);
    assert.match(note, /\n— w1\.test\/witness /);
  });

  it('a witness killed mid-stream is caught up from the size it remembers after a restart', async () => {
    await witnesses[1]!.process.kill();
    await ingest(4, 10);
    // Two of three still cosign: the policy's quorum holds while one witness is down.
    await cosignedBy(['w1.test/witness', 'w3.test/witness']);
    const config = join(root, 'witness.conf');
    witnesses[1]!.process = await startWitness(1, config);
    await witnesses[1]!.process.waitFor(/witness key/);
    assert.doesNotMatch(witnesses[1]!.process.output(), /\(new\)/, 'the witness kept its key');
    await ingest(2, 10);
    await cosignedBy(['w1.test/witness', 'w2.test/witness', 'w3.test/witness']);
  });

  it('a stopped log verifies offline with its cosignatures (its last checkpoint was submitted on shutdown)', async () => {
    await ingest(3, 10);
    const stopped = await log.stop();
    assert.equal(stopped.code, 0, log.output());
    checkpointWal(logDir);
    const verify = await runCli(['verify', '--data', logDir, '--witness-policy', policyFile]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /Witnesses: cosigned by 3 witness\(es\)/);
  });

  it('history rewritten from an old copy of the folder and re-signed with the stolen key: refused by every witness and named by verify', async () => {
    const witnessedSize = Number(
      (await runCli(['verify', '--data', logDir, '--json'])).stdout.match(/"treeSize": (\d+)/)![1],
    );
    // The rewrite: the early copy is served again and grows, with other events, past the size
    // the witnesses cosigned; every checkpoint is validly signed with the real log key.
    const server = await startServe({
      dataDir: snapshotDir,
      adminToken: E2E_ADMIN_TOKEN,
      env: { ...NO_MONITOR, EVIDENT_WITNESS_POLICY: policyFile },
    });
    try {
      const keyed = await runCli([
        'keys',
        'create',
        '--source',
        'billing-api',
        '--data',
        snapshotDir,
      ]);
      assert.equal(keyed.code, 0, keyed.stderr);
      const key = lastLine(keyed.stdout);
      for (let b = 0; b * 100 <= witnessedSize; b++) {
        const events = Array.from({ length: 100 }, (_, i) => ({
          ...sampleEvent(i, ulid()),
          reason: 'rewritten',
        }));
        assert.equal((await postEvents(server.url, key, events)).status, 201);
      }
      for (const w of witnesses) {
        // Right at start the copy is smaller than what the witnesses hold (a rollback to
        // them); once it outgrows that, its proofs fail (422). Both are refusals.
        const name = w.name.replace('.', '\\.');
        await server.waitFor(new RegExp(`witness ${name}: the witness answered 422`), 10_000);
      }
      // Each refusal is also a critical alert of the log itself (raised just after the line).
      let raised = '';
      for (let i = 0; i < 50 && (raised.match(/log\.witness_refused/g) ?? []).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
        raised = await fetch(`${server.url}/api/v1/alerts`, {
          headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
        }).then((r) => r.text());
      }
      for (const w of witnesses) {
        assert.match(raised, new RegExp(`Witness ${w.name.replace('.', '\\.')} refuses the log`));
      }
      assert.match(raised, /"rule_id":"log\.witness_refused"/);
    } finally {
      await server.stop();
    }
    checkpointWal(snapshotDir);
    // Without witnesses the rewrite is perfect: the folder verifies on its own.
    const alone = await runCli(['verify', '--data', snapshotDir]);
    assert.equal(alone.code, 0, alone.stdout + alone.stderr);
    const verify = await runCli(['verify', '--data', snapshotDir, '--witness-policy', policyFile]);
    assert.equal(verify.code, 2, verify.stdout + verify.stderr);
    assert.match(
      verify.stderr,
      /not witnessed as the policy requires: cosigned by 0 witness\(es\), 2 required/,
    );
    assert.match(verify.stderr, /\[witness_quorum\]/);
  });
});
