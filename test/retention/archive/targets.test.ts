import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { archiveHookFromEnv } from '../../../src/retention/archive/archive-from-env.js';
import { ArchiveTargetError } from '../../../src/retention/archive/targets/archive-target.js';
import {
  directoryTarget,
  PARTIAL_PREFIX,
} from '../../../src/retention/archive/targets/directory-target.js';
import { archiveTargetFromConfig } from '../../../src/retention/archive/targets/target-config.js';
import type { Store } from '../../../src/store/store.js';
import { repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/test-server.js';
import { type StandIn, startS3StandIn } from './s3-stand-in.js';

const CREDENTIALS = {
  accessKeyId: 'AKIAEVIDENTTEST',
  secretAccessKey: 'evident-test-secret-key',
  region: 'eu-central-1',
  bucket: 'audit-archive',
};

describe('directory target', () => {
  let dir: string;
  before(() => {
    dir = tempDir('evident-archive-dir-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, reads back and overwrites whole bundles; leaves no temporary file', async () => {
    const target = directoryTarget(join(dir, 'nested', 'archive'));
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const where = await target.put('a.zip', bytes);
    assert.equal(where, join(dir, 'nested', 'archive', 'a.zip'));
    assert.deepEqual(await target.get('a.zip'), bytes);
    await target.put('a.zip', new Uint8Array([9]));
    assert.deepEqual(await target.get('a.zip'), new Uint8Array([9]));
    assert.deepEqual(readdirSync(join(dir, 'nested', 'archive')), ['a.zip']);
    await assert.rejects(
      target.get('none.zip'),
      (e: unknown) => (e as ArchiveTargetError).problem === 'not_found',
    );
  });

  it('a write that fails leaves nothing under the final name and says where', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const target = directoryTarget(join(dir, 'a-file', 'sub'));
    await assert.rejects(target.put('b.zip', new Uint8Array([1])), (e: unknown) => {
      assert.ok(e instanceof ArchiveTargetError);
      assert.equal(e.problem, 'write_failed');
      assert.match(e.message, /could not write .*b\.zip/);
      return true;
    });
  });

  it('a process killed mid-write never leaves a partial bundle under the final name', async () => {
    const out = join(dir, 'crash');
    const size = 32 * 1024 * 1024;
    // The child writes 32 MiB bundles of one repeated byte (bundle i holds byte i) in a loop;
    // it is killed once it has said it started a write.
    const script = `
      import { directoryTarget } from ${JSON.stringify(join(repoRoot, 'src/retention/archive/targets/directory-target.ts'))};
      const target = directoryTarget(${JSON.stringify(out)});
      for (let i = 1; i < 200; i++) {
        process.stdout.write('writing ' + i + '\\n');
        await target.put('bundle-' + (i % 3) + '.zip', new Uint8Array(${size}).fill(i));
      }`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/writing 3\n/.test(seen)) resolve();
      });
      // A child that dies on its own must fail the test below, not hang it.
      child.once('exit', () => resolve());
    });
    assert.match(seen, /writing 3\n/, 'the writer died before its third bundle');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const names = readdirSync(out);
    let finals = 0;
    for (const name of names) {
      if (name.startsWith(PARTIAL_PREFIX)) continue;
      finals += 1;
      const bytes = readFileSync(join(out, name));
      assert.equal(bytes.length, size, `${name} is partial`);
      assert.ok(
        bytes.every((b) => b === bytes[0]),
        `${name} mixes two writes`,
      );
    }
    assert.ok(
      finals >= 2,
      `the first two bundles were confirmed before the third began (${names})`,
    );
  });
});

describe('S3 target against a stand-in that checks SigV4', () => {
  let s3: StandIn;
  before(async () => {
    s3 = await startS3StandIn(CREDENTIALS);
  });
  after(async () => {
    await s3.close();
  });
  const env = (secret = CREDENTIALS.secretAccessKey) => ({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: CREDENTIALS.region,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secret,
  });

  it('puts, confirms by reading back, and gets a bundle under the prefix', async () => {
    const target = archiveTargetFromConfig('s3://audit-archive/evident/prod', env());
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    const where = await target.put('archive-1.zip', bytes);
    assert.equal(where, 's3://audit-archive/evident/prod/archive-1.zip');
    assert.deepEqual(new Uint8Array(s3.objects.get('evident/prod/archive-1.zip')!), bytes);
    assert.deepEqual(await target.get('archive-1.zip'), bytes);
    assert.ok(s3.log.includes('PUT /audit-archive/evident/prod/archive-1.zip 200'));
    assert.ok(s3.log.includes('GET /audit-archive/evident/prod/archive-1.zip 200'));
  });

  it('a wrong secret is refused by the store, and put() rejects naming the S3 error', async () => {
    const target = archiveTargetFromConfig('s3://audit-archive/x', env('not-the-secret'));
    await assert.rejects(target.put('a.zip', new Uint8Array([1])), (e: unknown) => {
      assert.ok(e instanceof ArchiveTargetError);
      assert.equal(e.problem, 'write_failed');
      assert.match(
        e.message,
        /PUT s3:\/\/audit-archive\/x\/a\.zip answered 403 SignatureDoesNotMatch/,
      );
      return true;
    });
    assert.equal(s3.objects.has('x/a.zip'), false);
  });

  it('an object that reads back changed is not confirmed', async () => {
    const target = archiveTargetFromConfig('s3://audit-archive/y', env());
    s3.corruptReads = true;
    try {
      await assert.rejects(target.put('a.zip', new Uint8Array(100).fill(7)), (e: unknown) => {
        assert.equal((e as ArchiveTargetError).problem, 'not_confirmed');
        return true;
      });
    } finally {
      s3.corruptReads = false;
    }
  });

  it('configuration errors say what to fix', () => {
    assert.throws(
      () => archiveTargetFromConfig('s3://audit-archive/p', {}),
      /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    assert.throws(
      () => archiveTargetFromConfig('s3://Bad_Bucket/p', env()),
      /is not s3:\/\/bucket\/prefix/,
    );
    assert.throws(
      () =>
        archiveTargetFromConfig(
          { target: 's3://audit-archive', s3: { endpoint: 'ftp://x' } },
          env(),
        ),
      /is not http\(s\):\/\/host/,
    );
    assert.throws(() => archiveTargetFromConfig(' '), /archive target is empty/);
  });

  it('EVIDENT_ARCHIVE_TARGET: unset means no hook; a bad target fails when the hook is built', () => {
    const log = { store: {} as Store, origin: 'evident.test/x' };
    assert.equal(archiveHookFromEnv({}, log), undefined);
    assert.equal(archiveHookFromEnv({ EVIDENT_ARCHIVE_TARGET: ' ' }, log), undefined);
    assert.throws(
      () => archiveHookFromEnv({ EVIDENT_ARCHIVE_TARGET: 's3://audit-archive/p' }, log),
      /set AWS_ACCESS_KEY_ID/,
    );
    assert.equal(
      typeof archiveHookFromEnv({ EVIDENT_ARCHIVE_TARGET: 's3://audit-archive/p', ...env() }, log),
      'function',
    );
  });
});
