import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromUtf8, utf8 } from '../../../src/core/bytes.js';
import { readPackZip, writePackZip } from '../../../src/evidence/pack-zip.js';
import { openLog } from '../../../src/log/open-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { openStore } from '../../../src/store/open-store.js';
import { purgePayloads } from '../../../src/store/tables/retention/purged-payloads-table.js';
import { runCli, type ServerProcess, startServe, tempDir } from '../../support/processes.js';
import { makeArchiveLog } from './archive-log.js';
import { type StandIn, startS3StandIn } from './s3-stand-in.js';

const TOKEN = 'eva_archive-cli-admin-token-0123456789';
/** Each CLI run starts tsx: generous, for a machine shared by many test runs. */
const SLOW = 180_000;

/** `evident archive create | verify | restore` as an operator and an auditor run them. */
describe('evident archive create | verify | restore', () => {
  let dir: string;
  let data: string;
  let key: string;
  let otherKey: string;
  let zip: string;

  before(async () => {
    dir = tempDir('evident-archive-cli-');
    const a = await makeArchiveLog('sqlite', 'evident.test/archive-cli', 12);
    const b = await makeArchiveLog('sqlite', 'evident.test/archive-other', 3);
    ({ verifierKey: key, dataDir: data } = a);
    otherKey = b.verifierKey;
    await a.log.close();
    await b.dispose();
    zip = join(dir, 'seq-2-8.zip');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('creates a bundle of a seq range, records archive.create, and names the verify command', async () => {
    const created = await runCli(
      ['archive', 'create', '--data', data, '--from-seq', '2', '--to-seq', '8', '--out', zip],
      { timeoutMs: SLOW },
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /7 entries \(seq 2–8\) proven against the checkpoint of size 12/);
    assert.ok(
      created.stderr.includes(`evident archive verify ${zip} --key ${key}`),
      created.stderr,
    );
    const store = await openStore({ dataDir: data });
    try {
      const [entry] = await store.search({ action: 'archive.create', limit: 1 });
      const record = JSON.parse(entry!.record);
      assert.equal(record.actor.type, 'operator');
      assert.equal(record.details.count, 7);
    } finally {
      await store.close();
    }
  });

  it('verifies offline; a changed record or another log exits 2 naming what failed', async () => {
    const ok = await runCli(['archive', 'verify', zip, '--key', key], { timeoutMs: SLOW });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /Verified: 7 records of evident\.test\/archive-cli/);

    const files = readPackZip(new Uint8Array(readFileSync(zip)));
    const records = fromUtf8(files.get('records.ndjson')!).replace('"c-5"', '"c-4"');
    files.set('records.ndjson', utf8(records));
    const bad = join(dir, 'changed.zip');
    writeFileSync(bad, writePackZip(files, Date.now()));
    const changed = await runCli(['archive', 'verify', bad, '--key', key], { timeoutMs: SLOW });
    assert.equal(changed.code, 2);
    assert.match(
      changed.stderr,
      /does NOT verify: records\.ndjson \(seq 5\): does not match its leaf hash/,
    );

    const other = await runCli(['archive', 'verify', zip, '--key', otherKey], { timeoutMs: SLOW });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /manifest\.json: is for the log "evident\.test\/archive-cli"/);
  });

  it('restores purged payloads; then `evident verify --data` passes', async () => {
    const original = await readRecords(data, 2, 9);
    const log = await openLog({ dataDir: data, mustExist: true });
    try {
      const audit = new SelfAudit(log.sequencer, log.origin, log.clock);
      const purgeSeq = await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: { policy: 'test', count: 7 },
      });
      const seqs = [2, 3, 4, 5, 6, 7, 8];
      await log.store.transaction((tx) => purgePayloads(tx, { purgeSeq, seqs, atMs: Date.now() }));
    } finally {
      await log.close();
    }
    assert.deepEqual(await readRecords(data, 2, 9), Array(7).fill(''));

    const restored = await runCli(['archive', 'restore', zip, '--data', data], { timeoutMs: SLOW });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stderr, /Restored 7 payload\(s\)/);
    assert.deepEqual(await readRecords(data, 2, 9), original);
    const verified = await runCli(['verify', '--data', data, '--key', key], { timeoutMs: SLOW });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });

  describe('through the API, to an S3 bucket', () => {
    let server: ServerProcess;
    let s3: StandIn;
    const credentials = {
      accessKeyId: 'AKIAARCHIVECLI',
      secretAccessKey: 'archive-cli-secret',
      region: 'us-east-1',
      bucket: 'evident-archive',
    };
    before(async () => {
      server = await startServe({ dataDir: data, adminToken: TOKEN, timeoutMs: SLOW });
      s3 = await startS3StandIn(credentials);
    });
    after(async () => {
      await server?.stop();
      await s3?.close();
    });

    it('creates a bundle with --url, writes it to s3://bucket/prefix, and verifies it there', async () => {
      const env = {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      };
      const created = await runCli(
        [
          'archive',
          'create',
          '--url',
          server.url,
          '--token',
          TOKEN,
          '--from-seq',
          '0',
          '--to-seq',
          '3',
          '--out',
          's3://evident-archive/prod',
        ],
        { timeoutMs: SLOW, env },
      );
      assert.equal(created.code, 0, created.stderr);
      const [name] = [...s3.objects.keys()];
      assert.match(name!, /^prod\/archive-000000000000-000000000003-t\d+\.zip$/);
      const location = `s3://evident-archive/${name}`;
      assert.ok(
        created.stderr.includes(`evident archive verify ${location} --key`),
        created.stderr,
      );
      const ok = await runCli(['archive', 'verify', location, '--key', key], {
        env,
        timeoutMs: SLOW,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /Verified: 4 records/);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.startsWith('.partial')),
        [],
      );
    });
  });
});

async function readRecords(dataDir: string, start: number, end: number): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    return (await store.entries(start, end)).map((e) => e.record);
  } finally {
    await store.close();
  }
}
