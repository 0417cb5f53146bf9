import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readPackZip, writePackZip } from '../../src/evidence/pack-zip.js';
import { defaultVerifyPagePath } from '../../src/evidence/verify-page-asset.js';
import { openStore } from '../../src/store/open-store.js';
import { repoRoot, runCli, tempDir } from '../support/processes.js';
import { checkpointNote, cutPack } from './pack-fixture.js';
import { makePackLog } from './pack-log.js';

/** `evident pack create` and `evident pack verify` as an operator and an auditor run them. */
describe('evident pack create | verify', () => {
  let dir: string;
  let key: string;
  let otherKey: string;
  let zip: string;

  before(async () => {
    if (!existsSync(defaultVerifyPagePath()))
      execFileSync('npx', ['vite', 'build', '--config', 'web/pack-verify/vite.config.ts'], {
        cwd: repoRoot,
      });
    dir = tempDir('evident-pack-cli-');
    ({ verifierKey: key } = await makePackLog(`${dir}/a`, 'evident.test/pack-a'));
    ({ verifierKey: otherKey } = await makePackLog(`${dir}/b`, 'evident.test/pack-b'));
    writeFileSync(`${dir}/kept.txt`, await checkpointNote(`${dir}/a`, 5));
    zip = `${dir}/q1.zip`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a pack, notarised in the log, and names the command that verifies it', async () => {
    const created = await runCli(
      [
        'pack',
        'create',
        '--data',
        `${dir}/a`,
        '--from',
        '2026-01-01',
        '--to',
        '2026-03-31',
        '--since',
        `${dir}/kept.txt`,
        '--out',
        zip,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /reading events: 14\/14 events/);
    assert.match(
      created.stderr,
      new RegExp(`evident pack verify \\S+ --key ${key.replace(/[+/]/g, '\\$&')}`),
    );
    const files = readPackZip(new Uint8Array(readFileSync(zip)));
    const page = files.get('verify.html')!;
    assert.deepEqual(page, new Uint8Array(readFileSync(defaultVerifyPagePath())));
    // The log holds the notarisation: source evident, the manifest's SHA-256, by the operator.
    const store = await openStore({ dataDir: `${dir}/a` });
    try {
      const [entry] = await store.search({ action: 'evidence_pack.create', limit: 1 });
      const record = JSON.parse(entry!.record);
      assert.equal(record.source, 'evident');
      assert.equal(record.actor.type, 'operator');
      const { createHash } = await import('node:crypto');
      const sha = createHash('sha256').update(files.get('manifest.json')!).digest('hex');
      assert.equal(record.details.manifest_sha256, sha);
    } finally {
      await store.close();
    }
  });

  it('verifies with --key and --key-file, per control', async () => {
    const ok = await runCli(['pack', 'verify', zip, '--key', key]);
    assert.equal(ok.code, 0, ok.stderr);
    for (const id of ['A.5.15', 'A.5.16', 'A.5.18', 'A.8.2', 'A.8.5', 'A.8.15', 'A.8.16', 'A.8.17'])
      assert.match(ok.stdout, new RegExp(`ok +${id.replace(/\./g, '\\.')} `));
    assert.match(
      ok.stdout,
      /ok +since-checkpoint\.txt: the log at the checkpoint extends your checkpoint of size 5/,
    );
    assert.match(ok.stderr, /^Verified:/m);
    writeFileSync(`${dir}/key.txt`, `${key}\n`);
    const fromFile = await runCli([
      'pack',
      'verify',
      zip,
      '--key-file',
      `${dir}/key.txt`,
      '--json',
    ]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(JSON.parse(fromFile.stdout).ok, true);
    // The folder an auditor unzipped it to verifies the same way.
    const unzipped = `${dir}/unzipped`;
    mkdirSync(unzipped);
    for (const [name, bytes] of readPackZip(new Uint8Array(readFileSync(zip))))
      writeFileSync(`${unzipped}/${name}`, bytes);
    const folder = await runCli(['pack', 'verify', unzipped, '--key', key]);
    assert.equal(folder.code, 0, folder.stderr);
  });

  it('exits 2 naming a changed file, a removed file, and a pack from another log', async () => {
    const files = readPackZip(new Uint8Array(readFileSync(zip)));
    const flipped = new Map(files);
    const csv = new Uint8Array(files.get('report-alert-handling.csv')!);
    csv[40]! ^= 0x01;
    flipped.set('report-alert-handling.csv', csv);
    writeFileSync(`${dir}/flipped.zip`, writePackZip(flipped, Date.now()));
    const changed = await runCli(['pack', 'verify', `${dir}/flipped.zip`, '--key', key]);
    assert.equal(changed.code, 2);
    assert.match(
      changed.stderr,
      /does NOT verify: report-alert-handling\.csv: does not match its SHA-256/,
    );
    assert.match(changed.stdout, /FAIL A\.8\.16 Monitoring activities/);
    assert.match(changed.stdout, /ok {3}A\.8\.17 /);

    const removed = new Map(files);
    removed.delete('proofs.json');
    writeFileSync(`${dir}/removed.zip`, writePackZip(removed, Date.now()));
    const missing = await runCli(['pack', 'verify', `${dir}/removed.zip`, '--key', key]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does NOT verify: proofs\.json: is missing from the pack/);

    writeFileSync(`${dir}/other.zip`, writePackZip(await cutPack(`${dir}/b`), Date.now()));
    const other = await runCli(['pack', 'verify', `${dir}/other.zip`, '--key', key]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /does NOT verify: keys\.json: does not chain from the key you gave/);
    assert.equal((await runCli(['pack', 'verify', `${dir}/other.zip`, '--key', otherKey])).code, 0);
  });

  it('refuses a --since checkpoint of another log before appending anything', async () => {
    writeFileSync(`${dir}/foreign.txt`, await checkpointNote(`${dir}/b`, 3));
    const sizeBefore = await headSize(`${dir}/a`);
    const refused = await runCli(
      [
        'pack',
        'create',
        '--data',
        `${dir}/a`,
        '--from',
        '2026-01-01',
        '--to',
        '2026-03-31',
        '--since',
        `${dir}/foreign.txt`,
        '--out',
        `${dir}/x.zip`,
      ],
      { timeoutMs: 60_000 },
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /the --since checkpoint is not one of this log's/);
    assert.equal(existsSync(`${dir}/x.zip`), false);
    assert.equal(await headSize(`${dir}/a`), sizeBefore, 'nothing was notarised');
  });
});

async function headSize(dataDir: string): Promise<number> {
  const store = await openStore({ dataDir });
  try {
    return (await store.head())!.size;
  } finally {
    await store.close();
  }
}
