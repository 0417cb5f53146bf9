import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServe, tempDir } from '../support/processes.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every path in `dir` that is not owner-only, as `name 0NNN` (empty when all are private). */
function notPrivate(dir: string): string[] {
  const wrong = modeOf(dir) === 0o700 ? [] : [`. 0${modeOf(dir).toString(8)}`];
  for (const name of readdirSync(dir).sort()) {
    const mode = modeOf(join(dir, name));
    if (mode !== 0o600) wrong.push(`${name} 0${mode.toString(8)}`);
  }
  return wrong;
}

/**
 * The data folder holds every event, password hashes and the keys: 0700 and 0600 whatever the
 * umask (children inherit this process's umask, set to the common 022 here).
 */
describe('data folder permissions under umask 022', () => {
  let previous: number;
  before(() => {
    previous = process.umask(0o022);
  });
  after(() => {
    process.umask(previous);
  });

  it('init, serve (with -wal and -shm) and key rotation create only owner-only paths', async () => {
    const dir = join(tempDir(), 'data');
    const init = await runCli(['init', '--data', dir]);
    assert.equal(init.code, 0, init.stderr);
    assert.deepEqual(notPrivate(dir), []);

    const server = await startServe({ dataDir: dir });
    try {
      assert.ok(existsSync(join(dir, 'evident.db-wal')), 'the server holds the WAL open');
      assert.ok(existsSync(join(dir, 'evident.db-shm')));
      assert.deepEqual(notPrivate(dir), []);
      assert.doesNotMatch(server.output(), /readable by others/);
    } finally {
      await server.stop();
    }

    const rotate = await runCli(['keys', 'rotate-log-key', '--data', dir]);
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.retired')));
    assert.deepEqual(notPrivate(dir), []);
  });

  it('serve warns and verify reports (without failing) a folder or file others can read', async () => {
    const dir = join(tempDir(), 'data');
    assert.equal((await runCli(['init', '--data', dir])).code, 0);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'evident.db'), 0o644);

    const verify = await runCli(['verify', '--data', dir]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^OK:/);
    assert.match(
      verify.stderr,
      new RegExp(`warning: ${dir} is readable by others \\(mode 0755\\)`),
    );
    assert.match(verify.stderr, /evident\.db is readable by others \(mode 0644\); run chmod 600/);

    const server = await startServe({ dataDir: dir });
    try {
      await server.waitFor(/evident\.db is readable by others/);
    } finally {
      await server.stop();
    }
  });
});
