/**
 * Evidence packs under a witness policy: `pack create --witness-policy` cuts the pack at a
 * checkpoint two of three witnesses cosigned, and `pack verify --witness-policy` requires
 * those cosignatures (a pack without them, or a policy of other witnesses, fails it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSeed } from '../../src/core/ed25519.js';
import { checkCosignatures, parseWitnessPolicy } from '../../src/core/witness-policy.js';
import { readPackZip } from '../../src/evidence/pack-zip.js';
import { defaultVerifyPagePath } from '../../src/evidence/verify-page-asset.js';
import { systemClock } from '../../src/util/clock.js';
import { type RunningWitness, startWitness } from '../../src/witness/start-witness.js';
import { parseWitnessConfig } from '../../src/witness/witness-config.js';
import { formatWitnessSecretKey, parseWitnessSecretKey } from '../../src/witness/witness-key.js';
import { repoRoot, runCli, tempDir } from '../support/processes.js';
import { makePackLog } from './pack-log.js';

describe('evidence packs with witness cosignatures', () => {
  const dir = tempDir('evident-pack-witnessed-');
  const witnesses: RunningWitness[] = [];
  let key: string;
  let policyFile: string;
  let strangersFile: string;
  const period = ['--from', '2026-01-01', '--to', '2026-03-31'];

  before(async () => {
    if (!existsSync(defaultVerifyPagePath()))
      execFileSync('npx', ['vite', 'build', '--config', 'web/pack-verify/vite.config.ts'], {
        cwd: repoRoot,
      });
    ({ verifierKey: key } = await makePackLog(join(dir, 'log'), 'evident.test/pack-w'));
    const logs = parseWitnessConfig(`log ${key}\n`);
    for (let i = 1; i <= 3; i++) {
      witnesses.push(
        await startWitness({
          dataDir: join(dir, `w${i}`),
          name: `w${i}.test/witness`,
          logs,
          host: '127.0.0.1',
          port: 0,
          clock: systemClock,
        }),
      );
    }
    policyFile = join(dir, 'policy.txt');
    writeFileSync(
      policyFile,
      `${witnesses.map((w) => `witness ${w.key.verifierKey} ${w.url}`).join('\n')}\nquorum 2\n`,
    );
    // Witnesses nobody asked: their keys are valid, they cosigned nothing.
    const strangers = [1, 2].map(
      (i) =>
        parseWitnessSecretKey(formatWitnessSecretKey(`s${i}.test/witness`, generateSeed()))
          .verifierKey,
    );
    strangersFile = join(dir, 'strangers.txt');
    writeFileSync(strangersFile, `${strangers.map((k) => `witness ${k}`).join('\n')}\nquorum 1\n`);
  });
  after(async () => {
    for (const w of witnesses) await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts the pack at a cosigned checkpoint and verifies it against the policy', async () => {
    const zip = join(dir, 'witnessed.zip');
    const created = await runCli(
      [
        'pack',
        'create',
        '--data',
        join(dir, 'log'),
        ...period,
        '--out',
        zip,
        '--witness-policy',
        policyFile,
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(created.code, 0, created.stderr);
    const note = new TextDecoder().decode(
      readPackZip(new Uint8Array(readFileSync(zip))).get('checkpoint.txt')!,
    );
    const verdict = checkCosignatures(note, parseWitnessPolicy(readFileSync(policyFile, 'utf8')));
    assert.ok(verdict.ok, `cosigned by ${verdict.signed.join(', ')}`);

    const ok = await runCli(['pack', 'verify', zip, '--key', key, '--witness-policy', policyFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Witnesses: cosigned by [23] witness\(es\) \(w\d\.test\/witness/);

    const strangers = await runCli([
      'pack',
      'verify',
      zip,
      '--key',
      key,
      '--witness-policy',
      strangersFile,
    ]);
    assert.equal(strangers.code, 2);
    assert.match(
      strangers.stderr,
      /checkpoint\.txt \(witnesses\): is not witnessed as the policy requires: cosigned by 0/,
    );
  });

  it('fails a pack made without witnesses when the auditor requires them', async () => {
    const zip = join(dir, 'plain.zip');
    const created = await runCli(
      ['pack', 'create', '--data', join(dir, 'log'), ...period, '--out', zip],
      {
        timeoutMs: 90_000,
      },
    );
    assert.equal(created.code, 0, created.stderr);
    const plain = await runCli(['pack', 'verify', zip, '--key', key]);
    assert.equal(plain.code, 0, plain.stderr);
    const held = await runCli([
      'pack',
      'verify',
      zip,
      '--key',
      key,
      '--witness-policy',
      policyFile,
    ]);
    assert.equal(held.code, 2);
    assert.match(held.stdout, /FAIL checkpoint\.txt \(witnesses\): is not witnessed/);
  });
});
