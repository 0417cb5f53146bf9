/**
 * The README's quick start, run as written: its shell blocks are taken from README.md and
 * run by bash, in order, in a fresh folder beside a real `evident serve` (what `npm start`
 * runs), and each block's output is checked against what the text around it promises.
 * Only the port changes (8080 may be taken on a test machine). The CLI is the README's own
 * `evident()` shell function, pointed at this checkout's sources.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  killAllChildren,
  repoRoot,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The `sh` blocks of the README between two headings (the second excluded). */
function shellBlocks(fromHeading: string, toHeading: string): string[] {
  const start = README.indexOf(`\n${fromHeading}\n`);
  const end = README.indexOf(`\n${toHeading}\n`, start);
  assert.ok(start >= 0 && end > start, `README sections "${fromHeading}" … "${toHeading}"`);
  const section = README.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Runs `script` with bash in `cwd`; resolves with its exit and output, never rejects. */
function bash(script: string, cwd: string, url: string, timeoutMs: number) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EVIDENT_')) env[k] = v;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      // The CLI's default URL is port 8080; EVIDENT_URL stands in for it on the test's port.
      env: { ...env, NO_COLOR: '1', EVIDENT_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const MARK = '::readme-block::';

describe('the README quick start, as written', () => {
  let dir: string;
  let server: ServerProcess;
  let blocks: string[];
  let run: { code: number | null; stdout: string; stderr: string };
  /** Each block's standard output, in README order (the server block excluded). */
  let outputs: string[];

  before(async () => {
    blocks = shellBlocks('## Quick start', '### People and roles');
    dir = tempDir('evident-readme-');
    // The clone as the README's commands see it: dist/src/cli/main.js (here a shim onto
    // this checkout's sources, so the test needs no build) and node_modules.
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
    writeFileSync(
      join(dir, 'dist', 'src', 'cli', 'main.js'),
      "import { register } from 'tsx/esm/api';\nregister();\n" +
        `await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'cli', 'main.ts')).href)});\n`,
    );
    // What `npm start` runs, with the data folder where `npm start` would put it.
    server = await startServe({ dataDir: join(dir, 'evident-data') });
    const script = ['set -euo pipefail', ...blocks.slice(1).map((b) => `echo '${MARK}'\n${b}`)]
      .join('\n')
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${server.port}`);
    run = await bash(script, dir, server.url, 180_000);
    outputs = run.stdout.split(`${MARK}\n`).slice(1);
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts with `npm install && npm start`, and every later block runs without error', () => {
    assert.equal(blocks[0]!.trim(), 'npm install && npm start');
    assert.equal(blocks.length, 6, 'the quick start has six shell blocks');
    assert.equal(run.code, 0, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.equal(outputs.length, blocks.length - 1);
  });

  it('defines `evident` for the shell, and `evident --version` prints the version', () => {
    assert.equal(outputs[0]!.trim(), VERSION);
  });

  it("posts the user's event with the current time and keeps its seq", () => {
    const entries = JSON.parse(outputs[1]!) as { seq: number; already_stored: boolean }[];
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.already_stored, false);
    assert.ok(entries[0]!.seq > 0);
  });

  it("searches, proves the user's own event, and verifies the log", () => {
    const out = outputs[2]!;
    assert.match(out, /u-123/);
    assert.match(out, /customer\.read/);
    const entries = JSON.parse(outputs[1]!) as { seq: number }[];
    // The proof is of the event the user posted, not of whatever sits at seq 1.
    assert.match(out, new RegExp(`"seq": ${entries[0]!.seq},\\s+"tree_size"`), out);
    assert.equal(out.match(/^OK: \d+ entries/gm)?.length, 2, 'both verifications pass');
    assert.doesNotMatch(out, /clock.skew/i, 'an event stamped now is not skewed');
  });

  it('raises iso.failed-sign-ins from five failed sign-ins, and no clock-skew alert', () => {
    const out = outputs[3]!;
    assert.match(out, /iso\.failed-sign-ins/);
    assert.doesNotMatch(out, /source\.clock_skew/);
  });

  it('a reviewer acknowledges and resolves the alert the README leads to', () => {
    const out = outputs[4]!;
    assert.match(out, /resolved/);
    assert.match(out, /true_positive/);
    assert.match(out, /u-77 mistyped/);
  });
});
