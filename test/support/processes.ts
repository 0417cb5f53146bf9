/**
 * The real `evident` CLI as child processes, for end-to-end tests: a free port, `evident
 * serve` started and awaited, stopped (SIGTERM) or crashed (SIGKILL), and one-shot commands
 * with their exit code and output. Every child is tracked so an `after` hook (or, as a last
 * resort, process exit) can kill whatever a failing test left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/**
 * How long a CLI command may run, and a server take to start, before the test fails. Generous:
 * on a loaded 2-core machine tsx alone took 20 s to start `evident --version`; a process that
 * really hangs still fails, just later.
 */
const COMMAND_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 90_000;

/** Root of this repository (test/support/ is two levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CLI entry point, run through tsx from the repository root (where tsx resolves). */
export const CLI_MAIN = join(repoRoot, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to the child's stdin, which is then closed (stdin is always closed). */
  input?: string;
  /** Extra environment; EVIDENT_* from the test runner's environment never leak in. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Told everything the command printed to stderr so far, as it arrives (for prompts). */
  onStderr?: (stderrSoFar: string) => void;
}

const live = new Set<ChildProcess>();
/** An empty config folder: children never see the real user's `evident login` credentials. */
let configHome: string | undefined;

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  if (configHome) rmSync(configHome, { recursive: true, force: true });
});

/** A temp folder for one test file; remove it in `after`. */
export function tempDir(prefix = 'evident-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A port that was free a moment ago (the CLI cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EVIDENT_')) env[k] = v;
  configHome ??= mkdtempSync(join(tmpdir(), 'evident-config-'));
  // Non-TTY children print plain progress lines; keep colours out of assertions.
  return { ...env, NO_COLOR: '1', XDG_CONFIG_HOME: configHome, ...extra };
}

function spawnCli(args: readonly string[], env?: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Runs `evident <args>` to completion; never rejects on a non-zero exit. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = spawnCli(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr);
  });
  child.stdin!.on('error', () => {
    // The command may exit before reading its input (a bad option): not our failure.
  });
  child.stdin!.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `evident ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServeOptions {
  dataDir: string;
  /** Default: a free port (retried if another process takes it first). */
  port?: number;
  /** Sets EVIDENT_ADMIN_TOKEN (≥ 24 characters); default: the folder's own token file. */
  adminToken?: string;
  /** Origin for a new log. */
  origin?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, waiting for it if need be. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then wait for the exit (SIGKILL if it does not come within `graceMs`). */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now (a crash), and wait until the process is gone. */
  kill(): Promise<void>;
  readonly exited: boolean;
}

const LISTENING = /listening on (\S+)/;

/** Starts `evident serve` and resolves once it prints that it listens. */
export async function startServe(options: ServeOptions): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startServeOn(port, options);
    } catch (error) {
      // Another process took the port between freePort() and listen: pick another.
      if (options.port !== undefined || attempt >= 3 || !/EADDRINUSE/.test(String(error)))
        throw error;
    }
  }
}

async function startServeOn(port: number, options: ServeOptions): Promise<ServerProcess> {
  const args = ['serve', '--data', options.dataDir, '--port', String(port)];
  if (options.origin !== undefined) args.push('--origin', options.origin);
  const env: Record<string, string> = { ...options.env };
  if (options.adminToken !== undefined) env.EVIDENT_ADMIN_TOKEN = options.adminToken;
  return startListening(args, { ...options, env }, port);
}

/**
 * Starts any long-running `evident` command (serve, witness serve) with `args` and resolves
 * once it prints "listening on <url>".
 */
export async function startListening(
  args: readonly string[],
  options: { dataDir: string; env?: Record<string, string>; timeoutMs?: number },
  port: number,
): Promise<ServerProcess> {
  const child = spawnCli(args, options.env);
  child.stdin!.end();
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `evident ${args[0]} did not start within ${options.timeoutMs ?? START_TIMEOUT_MS} ms\n${output}`,
        ),
      );
    }, options.timeoutMs ?? START_TIMEOUT_MS);
    const onData = (chunk: string) => {
      output += chunk;
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `evident ${args[0]} exited (code ${code}, signal ${signal}) before listening\n${output}`,
        ),
      );
    });
  });
  const kill = async () => {
    if (!exit) child.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    dataDir: options.dataDir,
    pid: child.pid!,
    output: () => output,
    waitFor: async (pattern, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (exit || Date.now() > deadline)
          throw new Error(`evident serve never printed ${pattern}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    get exited() {
      return exit !== undefined;
    },
    stop: async (graceMs = 10_000) => {
      if (exit) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill,
  };
}

/** Kills every child these helpers started that is still running (for `after` hooks). */
export async function killAllChildren(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

/** The last non-blank line of a command's stdout, trimmed (where `keys create` prints the key). */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return (lines.at(-1) ?? '').trim();
}

/**
 * Folds the WAL into evident.db (with no server running), so the one file is the whole
 * database and copies of it are complete.
 */
export function checkpointWal(dataDir: string): void {
  const db = new Database(join(dataDir, 'evident.db'));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The append-only triggers of the SQLite store (migration 1). */
const APPEND_ONLY_TRIGGERS = [
  'entries_no_update',
  'entries_no_delete',
  'tree_nodes_no_update',
  'tree_nodes_no_delete',
  'checkpoints_no_update',
  'checkpoints_no_delete',
];

/**
 * A copy of a stopped log's data folder rewritten as an operator with raw database access
 * would: the append-only triggers dropped, then `mutate` in one transaction.
 */
export function tamperedCopy(from: string, mutate: (db: Database.Database) => void): string {
  const copy = copyDataDir(from);
  const db = new Database(join(copy, 'evident.db'));
  try {
    for (const t of APPEND_ONLY_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
    db.transaction(() => mutate(db))();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return copy;
}

/** Copies a stopped server's data folder (database with -wal/-shm, keys, token) to a new temp folder. */
export function copyDataDir(from: string, into: string = tempDir('evident-copy-')): string {
  for (const name of readdirSync(from)) cpSync(join(from, name), join(into, name));
  if (!existsSync(join(into, 'evident.db'))) throw new Error(`no evident.db in ${from}`);
  return into;
}
