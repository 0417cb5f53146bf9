import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, tempDir } from '../../../test/support/processes.js';
import { deadUrl, type ListeningServer, listeningServer } from './support.js';

const APP = join(repoRoot, 'packages', 'client', 'test', 'fixtures', 'spool-app.ts');

function startApp(args: string[]): {
  child: ChildProcess;
  output: () => string;
  wait: (re: RegExp) => Promise<RegExpExecArray>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', APP, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  const wait = async (re: RegExp) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = re.exec(output);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`app never printed ${re}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, output: () => output, wait };
}

describe('disk spool across a crash of the application', () => {
  let s: ListeningServer;
  before(async () => {
    s = await listeningServer('spooled-app');
  });
  after(async () => {
    await s.close();
  });

  it('replays every event queued before SIGKILL, each stored once', async () => {
    const spool = join(tempDir('evident-spool-'), 'events.spool');
    // First run: the server is unreachable, so nothing leaves the application before it dies.
    const first = startApp([await deadUrl(), s.key, spool, '120']);
    const ids = JSON.parse((await first.wait(/queued (\[.*\])/))[1]!) as string[];
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    assert.equal(ids.length, 120);
    assert.ok(existsSync(spool));
    assert.equal((await s.stored()).length, 0);

    // Second run, reachable server: the spool is replayed with the same ids.
    const second = startApp([s.url, s.key, spool, '0']);
    await second.wait(/closed/);
    assert.match(second.output(), /replayed 120/);
    const stored = await s.stored();
    assert.deepEqual(stored.map((e) => e.id).sort(), [...ids].sort());

    // A third start finds nothing owed: the spool recorded what was stored.
    const third = startApp([s.url, s.key, spool, '0']);
    await third.wait(/closed/);
    assert.match(third.output(), /replayed 0/);
    assert.equal((await s.stored()).length, 120);
  });

  it('replays events a crash left half-sent without storing them twice', async () => {
    const spool = join(tempDir('evident-spool-'), 'events.spool');
    // Reachable from the start: some batches are stored, the kill lands mid-stream.
    const first = startApp([s.url, s.key, spool, '400']);
    const ids = JSON.parse((await first.wait(/queued (\[.*\])/))[1]!) as string[];
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const second = startApp([s.url, s.key, spool, '0']);
    await second.wait(/closed/);
    const stored = (await s.stored()).filter((e) => ids.includes(e.id));
    assert.equal(stored.length, 400);
    assert.equal(new Set(stored.map((e) => e.id)).size, 400);
  });
});
