/**
 * The server under test runs in its own process (`evident serve`), so the load generator
 * never shares its event loop. `compiled` (tsc output, what users run) is the default;
 * `tsx` runs the TypeScript sources as `npm run dev`-style users would.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './stats.js';

export type ServerMode = 'compiled' | 'tsx';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = 'eva_bench-admin-token-0123456789abcdef';

/** Compiles src/ into `outDir` (not dist/, which other work in the checkout may own). */
export function buildServer(outDir: string): string {
  // The build finds node_modules and the rule pack by walking up from itself.
  const inside = relative(process.cwd(), resolve(outDir));
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(
      `cannot build the server into ${outDir}: it must be a folder inside this checkout (e.g. .bench-data/…), where the compiled server finds node_modules and the rule pack`,
    );
  }
  const tsc = resolve('node_modules/.bin/tsc');
  try {
    execFileSync(tsc, ['-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], {
      stdio: 'pipe',
    });
  } catch (error) {
    // tsc still emits JavaScript on type errors; only a missing entry point is fatal.
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    log(`tsc reported problems (emitted anyway):\n${out.slice(0, 2000)}`);
  }
  const main = join(outDir, 'src/cli/main.js');
  if (!existsSync(main)) throw new Error(`build produced no ${main}`);
  return main;
}

export interface StartServerOptions {
  mode: ServerMode;
  /** The compiled entry point (mode `compiled`). */
  main: string;
  dataDir: string;
  /** Write a V8 CPU profile of the whole server run into this folder. */
  cpuProfileDir?: string;
}

export async function startServerProcess(options: StartServerOptions): Promise<ServerProcess> {
  const nodeArgs: string[] = [];
  if (options.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  return spawnEvidentServe(options, options.dataDir, [], nodeArgs);
}

/**
 * `evident serve` on 127.0.0.1 with an OS-chosen port, run from the compiled entry point or
 * from source (tsx), with the bench's admin token; `extra` adds serve options.
 */
export function spawnEvidentServe(
  options: Pick<StartServerOptions, 'mode' | 'main'>,
  dataDir: string,
  extra: string[] = [],
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const entry =
    options.mode === 'compiled' ? [options.main] : ['--import', 'tsx', 'src/cli/main.ts'];
  return spawnServer(
    [
      ...nodeArgs,
      ...entry,
      'serve',
      '--data',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...extra,
    ],
    { EVIDENT_ADMIN_TOKEN: ADMIN_TOKEN, EVIDENT_LOG_LEVEL: 'warn' },
  );
}

/** A new ingest key for source `bench` on a bench server: the `Bearer` secret. */
export async function createIngestKey(url: string): Promise<string> {
  const created = await fetch(`${url}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'bench' }),
  });
  if (!created.ok) throw new Error(`POST /api/v1/keys: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { key: string }).key;
}

/** The bench's rules file: working time all week (its comment says why). */
export const BENCH_RULES_FILE = fileURLToPath(
  new URL('./rules/working-hours-all-week.yaml', import.meta.url),
);

/**
 * EVIDENT_RULES for every bench server, so the default rules raise the same alerts whatever
 * the time of day; BENCH_REAL_CALENDAR=1 keeps the pack's calendar (`--rules` overrides both).
 */
function benchCalendar(): Record<string, string> {
  return process.env.BENCH_REAL_CALENDAR === '1' ? {} : { EVIDENT_RULES: BENCH_RULES_FILE };
}

/** Which alert rules the servers ran with: the calendar decides how many alerts the fixtures raise. */
export function rulesNote(): string {
  return process.env.BENCH_REAL_CALENDAR === '1'
    ? "The servers ran the default rules with their own calendar (`BENCH_REAL_CALENDAR=1`): outside Mon–Fri 07:00–19:00 UTC the off-hours rule raises an alert per actor and hour on the fixtures' restricted targets."
    : 'The servers ran the default rules with working time all week (bench/rules/working-hours-all-week.yaml), so the alerts raised do not depend on the time of day.';
}

/**
 * Starts `node <args>` and waits for it to print "listening on <url>". BENCH_SERVER_WRAP runs
 * the server under another program, given node and its arguments (e.g. `heaptrack`, for where
 * the C heap goes); the pid the benches sample is then the wrapper's, not the server's.
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const wrap = process.env.BENCH_SERVER_WRAP || undefined;
  const child = spawn(wrap ?? process.execPath, wrap ? [process.execPath, ...args] : args, {
    env: { ...benchCalendar(), ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listeningUrl(child);
  return { url, pid: child.pid!, stop: () => stop(child) };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    // BENCH_SERVER_START_MS: a niced server on a busy machine may need longer.
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${out}${err}`)),
      Number(process.env.BENCH_SERVER_START_MS || 60_000),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}${err}`));
    });
  });
}

/** SIGTERM: the server finishes in-flight batches, closes the store (and writes its profile). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}
