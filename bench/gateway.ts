/**
 * `npm run bench:gateway`: pgbench -S through the PostgreSQL gateway vs straight to the
 * database, in the same run, and a check that every statement reached the log.
 *   BENCH_PG_URL           the database (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_GATEWAY_SECONDS  seconds per pgbench run (default 15)
 *   BENCH_GATEWAY_CLIENTS  pgbench -c (default 8; -j 2)
 *   BENCH_GATEWAY_WARMUP   seconds of pgbench through each gateway before it is measured (5)
 *   BENCH_GATEWAY_PROFILE_DIR  writes a --cpu-prof of each gateway process there
 *   BENCH_GATEWAY_REDACT   the gateways' --redact policy (default literals, the gateway's default)
 * Prints a Markdown table to paste into BENCHMARKS.md, with each party's CPU time per
 * transaction (pgbench, the PostgreSQL backends serving it, the gateway, the Evident server;
 * from /proc, see bench/gateway-cpu.ts) and from those the CPU budget the 70%-of-direct
 * target leaves the gateway and the log per statement (pgbench -S: one statement per
 * transaction).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createIngestKey } from '../src/access/credentials/ingest-keys.js';
import { isRedactionPolicy, type RedactionPolicy } from '../src/gateway/audit/redaction.js';
import { createCredential } from '../src/gateway/auth/credentials-file.js';
import { startPostgresGateway } from '../src/gateway/start-postgres-gateway.js';
import { openLog } from '../src/log/open-log.js';
import { systemClock } from '../src/util/clock.js';
import { BackendCpu, processCpuSeconds, reapedChildrenCpuSeconds } from './gateway-cpu.js';
import { ADMIN_TOKEN, startServerProcess } from './server.js';

const execFileAsync = promisify(execFile);
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS || 15);
const CLIENTS = Number(process.env.BENCH_GATEWAY_CLIENTS || 8);
const WARMUP = Number(process.env.BENCH_GATEWAY_WARMUP || 5);
/** `--cpu-prof` for the gateway processes; summarise with bench/cpu-profile.ts. */
const PROFILE_ARGS = process.env.BENCH_GATEWAY_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_PROFILE_DIR}`]
  : [];
const REDACT: RedactionPolicy = (() => {
  const policy = process.env.BENCH_GATEWAY_REDACT || 'literals';
  if (!isRedactionPolicy(policy))
    throw new Error('BENCH_GATEWAY_REDACT must be none, literals or all');
  return policy;
})();

/** CPU seconds each party spent on one run (undefined: not part of this path). */
interface Cpu {
  pgbench: number;
  postgres: number;
  backends: number;
  gateway?: number;
  server?: number;
}

interface Run {
  label: string;
  tps: number;
  transactions: number;
  cpu: Cpu;
  events?: number;
  /** What the gateway's audit queue sent (printed by the gateway when it stops). */
  queue?: string;
}

function pgbench(env: Record<string, string>, args: string[]): string {
  return execFileSync('pgbench', args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** How to find this run's PostgreSQL backends, and which other processes to charge. */
interface Parties {
  /** A pg_stat_activity condition with $1 bound to `value`. */
  backends: { where: string; value: string };
  /** The gateway's process when it is a child (its CPU is read until it exits). */
  gatewayPid?: number;
  /** The gateway runs in this process: charged this process's CPU during the run. */
  gatewayInProcess?: boolean;
  serverPid?: number;
}

/** Asynchronous, so a gateway running in this process keeps serving meanwhile. */
async function measure(
  label: string,
  env: Record<string, string>,
  admin: Client,
  parties: Parties,
  seconds = SECONDS,
): Promise<Run> {
  const backends = new BackendCpu(admin, parties.backends.where, parties.backends.value);
  const reapedBefore = reapedChildrenCpuSeconds();
  const ownBefore = process.cpuUsage();
  const gatewayBefore = parties.gatewayPid ? processCpuSeconds(parties.gatewayPid) : 0;
  const serverBefore = parties.serverPid ? processCpuSeconds(parties.serverPid) : 0;
  backends.start();
  const { stdout: out } = await execFileAsync(
    'pgbench',
    ['-n', '-S', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds)],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const own = process.cpuUsage(ownBefore);
  const pg = await backends.stop();
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
  const transactions = Number(/actually processed: (\d+)/.exec(out)?.[1]);
  const cpu: Cpu = {
    pgbench: reapedChildrenCpuSeconds() - reapedBefore,
    postgres: pg.seconds,
    backends: pg.backends,
  };
  if (parties.gatewayInProcess) cpu.gateway = (own.user + own.system) / 1e6;
  // A child gateway's and the server's CPU are completed after it drains (finishRun).
  if (parties.gatewayPid) cpu.gateway = -gatewayBefore;
  if (parties.serverPid) cpu.server = -serverBefore;
  console.error(`${label}: ${tps.toFixed(0)} TPS, ${transactions} transactions`);
  return { label, tps, transactions, cpu };
}

/** Stops a child gateway (it drains its queue first) and charges it and the server. */
async function finishRun(run: Run, gw: ChildProcess, serverPid: number | undefined): Promise<void> {
  const reapedBefore = reapedChildrenCpuSeconds();
  await stopGateway(gw);
  // The gateway's whole life lands in cutime once reaped; its CPU before the run is taken off.
  run.cpu.gateway = (run.cpu.gateway ?? 0) + reapedChildrenCpuSeconds() - reapedBefore;
  if (serverPid) run.cpu.server = (run.cpu.server ?? 0) + processCpuSeconds(serverPid);
}

const us = (seconds: number | undefined, n: number) =>
  seconds === undefined ? undefined : (seconds * 1e6) / n;
const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));

function startGateway(
  args: string[],
): Promise<{ port: number; child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    [...PROFILE_ARGS, '--import', 'tsx', 'src/cli/main.ts', 'gateway', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child, output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

function stopGateway(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function countSelects(url: string, person: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({
      source: 'pg-gateway',
      action: 'db.select',
      actor: person,
      limit: '1000',
    });
    if (cursor) q.set('cursor', cursor);
    const res = await fetch(`${url}/api/v1/events?${q}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await res.json()) as { entries: unknown[]; next_cursor: string | null };
    n += body.entries.length;
    cursor = body.next_cursor;
  } while (cursor);
  return n;
}

/** The raw SQLite insert cost per row at 20k rows per transaction (BENCHMARKS.md). */
const SQLITE_ROW_FLOOR_US = 20.4;
const TARGET = 0.7;

function report(runs: Run[], loadAtStart: number[]): void {
  const directs = runs.filter((r) => r.label.startsWith('direct'));
  const base = directs.reduce((a, r) => a + r.tps, 0) / directs.length;
  console.log(
    `pgbench -S -c ${CLIENTS} -j 2 -T ${SECONDS}, scale 10, gateway --redact ${REDACT}; gateway, Evident server, PostgreSQL and pgbench on one machine.\n`,
  );
  console.log(
    `Load average (1, 5, 15 min) at the start: ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}; at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} (${cpus().length} cores).\n`,
  );
  console.log(
    '| Path | TPS | vs direct (mean of both direct runs) | Transactions | db.select events in the log (vs transactions; pgbench adds 2 setup selects per run) | What the audit queue sent |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of runs)
    console.log(
      `| ${r.label} | ${Math.round(r.tps).toLocaleString('en')} | ${((r.tps / base) * 100).toFixed(0)}% | ${r.transactions.toLocaleString('en')} | ${r.events === undefined ? '—' : `${r.events.toLocaleString('en')} (${r.events - r.transactions >= 0 ? '+' : ''}${r.events - r.transactions})`} | ${r.queue ?? '—'} |`,
    );
  console.log(
    '\nCPU time per transaction (= per statement: pgbench -S sends one), µs, from /proc utime+stime:\n',
  );
  console.log(
    '| Path | pgbench | PostgreSQL backends | gateway | Evident server (log) | all parties | 2 cores ÷ all parties = CPU-bound TPS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const perTx = (r: Run) => {
    const n = r.transactions;
    const parts = {
      pgbench: us(r.cpu.pgbench, n)!,
      postgres: us(r.cpu.postgres, n)!,
      gateway: us(r.cpu.gateway, n),
      server: us(r.cpu.server, n),
    };
    const all = parts.pgbench + parts.postgres + (parts.gateway ?? 0) + (parts.server ?? 0);
    return { ...parts, all };
  };
  for (const r of runs) {
    const c = perTx(r);
    console.log(
      `| ${r.label} | ${fmt(c.pgbench)} | ${fmt(c.postgres)} (${r.cpu.backends} backends) | ${fmt(c.gateway)} | ${fmt(c.server)} | ${fmt(c.all)} | ${Math.round(2e6 / c.all).toLocaleString('en')} |`,
    );
  }
  // The budget, from CPU alone (load-independent): direct pgbench -S is CPU-bound on 2 cores,
  // so its TPS is 2 cores ÷ (pgbench + PostgreSQL per statement). 70% of that TPS leaves
  // (pgbench + PostgreSQL) × (1/0.7 − 1) for everything the gateway path adds.
  const direct = directs.map(perTx);
  const directAll = direct.reduce((a, c) => a + c.all, 0) / direct.length;
  const budget = directAll / TARGET - directAll;
  const standIn = runs.find((r) => r.label.includes('stand-in'));
  const observe = runs.find((r) => r.label.startsWith('gateway, observe, real'));
  console.log(
    `\nBudget: direct costs ${directAll.toFixed(1)} µs CPU per statement (pgbench + PostgreSQL), i.e. ${Math.round(2e6 / directAll).toLocaleString('en')} TPS on 2 idle cores. ${TARGET * 100}% of that TPS leaves ${budget.toFixed(1)} µs per statement for everything the gateway path adds (gateway + log + any extra pgbench/PostgreSQL work).`,
  );
  const added = (r: Run | undefined) => (r ? perTx(r).all - directAll : undefined);
  if (standIn) {
    const g = perTx(standIn);
    console.log(
      `- Gateway alone (stand-in log): adds ${fmt(added(standIn))} µs (gateway ${fmt(g.gateway)}, pgbench/PostgreSQL ${fmt(g.pgbench + g.postgres - directAll)}); CPU-bound ratio ${((directAll / g.all) * 100).toFixed(0)}% of direct.`,
    );
    const floor = g.all + SQLITE_ROW_FLOOR_US;
    console.log(
      `- Gateway + the raw SQLite insert floor (${SQLITE_ROW_FLOOR_US} µs/row at 20k rows/tx, no HTTP, no hashing, no signing): ${fmt(floor - directAll)} µs added; CPU-bound ratio at best ${((directAll / floor) * 100).toFixed(0)}% of direct.`,
    );
  }
  if (observe) {
    const o = perTx(observe);
    console.log(
      `- Gateway + the real log (observe): adds ${fmt(added(observe))} µs (gateway ${fmt(o.gateway)}, log ${fmt(o.server)} per statement); CPU-bound ratio ${((directAll / o.all) * 100).toFixed(0)}% of direct.`,
    );
  }
  // The verdict from this run's own figures: the cheapest gateway path measured here against
  // the budget. A figure over budget for one party alone settles it whatever the others do.
  const cheapestGateway = standIn ? added(standIn)! : undefined;
  const logPerEvent = observe ? perTx(observe).server : undefined;
  if (cheapestGateway !== undefined) {
    const floorLog = Math.min(SQLITE_ROW_FLOOR_US, logPerEvent ?? Number.POSITIVE_INFINITY);
    const need = cheapestGateway + floorLog;
    console.log(
      need > budget
        ? `- Verdict: out of reach on 2 cores. The gateway path alone adds ${cheapestGateway.toFixed(1)} µs per statement and even the raw SQLite floor of the log ${floorLog.toFixed(1)} µs: ${need.toFixed(1)} µs against a budget of ${budget.toFixed(1)} µs.`
        : `- Verdict: within the budget in CPU terms (${need.toFixed(1)} µs of ${budget.toFixed(1)} µs) if the log reached its raw SQLite floor; the real log costs ${fmt(logPerEvent)} µs per event here.`,
    );
  }
  const failClosed = runs.find((r) => r.label.startsWith('gateway, fail_closed'));
  if (failClosed)
    console.log(
      `- fail_closed: each of the ${CLIENTS} clients waits for its statement's intent event to be durable (HTTP + group commit + fsync) before the statement runs, so TPS ≈ ${CLIENTS} ÷ that wait: ${Math.round(failClosed.tps)} TPS means ≈ ${((CLIENTS / failClosed.tps) * 1000).toFixed(0)} ms per durable append here; latency-bound, not CPU-bound.`,
    );
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'evident-bench-gateway-'));
  const schema = `bench_gw_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const pg = new URL(PG_URL);
  const direct = {
    PGHOST: pg.hostname,
    PGPORT: pg.port || '5432',
    PGUSER: decodeURIComponent(pg.username),
    PGDATABASE: pg.pathname.slice(1),
    PGOPTIONS: `-c search_path=${schema}`,
  };
  try {
    const log = await openLog({
      dataDir: join(dir, 'log'),
      origin: 'bench.evident.local/gateway',
      clock: systemClock,
    });
    const key = await createIngestKey(log.store, systemClock, 'pg-gateway', 'gateway benchmark');
    await log.close();
    const server = await startServerProcess({ mode: 'tsx', main: '', dataDir: join(dir, 'log') });
    const credentials = join(dir, 'gateway-credentials.json');
    const runs: Run[] = [];
    const directApp = `bench-gw-direct-${randomBytes(3).toString('hex')}`;
    const directParties: Parties = {
      backends: { where: 'application_name = $1', value: directApp },
    };
    const directEnv = { ...direct, PGAPPNAME: directApp };
    // The gateway names each upstream session evident/<session-id>.
    const gatewayBackends = {
      where: "application_name like $1 and query like '%pgbench_accounts%'",
      value: 'evident/%',
    };
    try {
      pgbench(direct, ['-i', '-q', '-s', '10']);
      runs.push(await measure('direct', directEnv, admin, directParties));
      // The gateway's own cost: the same, with a stand-in log that takes every batch at once.
      {
        const person = 'bench-no-log';
        const { secret } = createCredential(credentials, person, 3600_000, Date.now(), randomBytes);
        let events = 0;
        const gw = await startPostgresGateway({
          host: '127.0.0.1',
          port: 0,
          upstream: PG_URL,
          url: '',
          key: '',
          credentials,
          mode: 'observe',
          redaction: REDACT,
          post: async (batch) => {
            events += batch.filter((e) => (e as { action: string }).action === 'db.select').length;
          },
        });
        const through = { ...direct, PGPORT: String(gw.port), PGUSER: person, PGPASSWORD: secret };
        const parties: Parties = { backends: gatewayBackends, gatewayInProcess: true };
        // Warm up first: V8 compiles the parser's WebAssembly to optimised code while it runs,
        // a one-off cost a long-running gateway does not pay per statement.
        await measure('warm-up (not counted)', through, admin, parties, WARMUP);
        const warmEvents = events;
        const warmQueue = gw.audit.stats();
        const run = await measure('gateway, observe, log stand-in', through, admin, parties);
        await gw.close();
        run.events = events - warmEvents;
        const sent = gw.audit.stats();
        run.queue = `${((sent.events - warmQueue.events) / (sent.requests - warmQueue.requests)).toFixed(1)} events per request`;
        runs.push(run);
      }
      for (const mode of ['observe', 'fail_closed']) {
        const person = `bench-${mode}`;
        const { secret } = createCredential(credentials, person, 3600_000, Date.now(), randomBytes);
        const gw = await startGateway([
          '--listen',
          '127.0.0.1:0',
          '--upstream',
          PG_URL,
          '--url',
          server.url,
          '--key',
          key.key,
          '--credentials',
          credentials,
          '--mode',
          mode,
          '--redact',
          REDACT,
        ]);
        const through = { ...direct, PGPORT: String(gw.port), PGUSER: person, PGPASSWORD: secret };
        const parties: Parties = {
          backends: gatewayBackends,
          gatewayPid: gw.child.pid!,
          serverPid: server.pid,
        };
        // As for the stand-in: the parser's WebAssembly tiers up in the first seconds. Under
        // another person, so the count of this run's events stays exact.
        const warm = createCredential(
          credentials,
          `${person}-warm-up`,
          3600_000,
          Date.now(),
          randomBytes,
        );
        await measure(
          `warm-up, ${mode} (not counted)`,
          { ...through, PGUSER: `${person}-warm-up`, PGPASSWORD: warm.secret },
          admin,
          parties,
          WARMUP,
        );
        const run = await measure(`gateway, ${mode}, real log`, through, admin, parties);
        await finishRun(run, gw.child, server.pid); // drains the queue before exiting
        run.events = await countSelects(server.url, person);
        const sent = /(\d+) events in (\d+) requests \(largest (\d+), up to (\d+) in flight\)/.exec(
          gw.output(),
        );
        if (sent)
          run.queue = `${(Number(sent[1]) / Number(sent[2])).toFixed(1)} events per request (largest ${sent[3]}), up to ${sent[4]} requests in flight`;
        runs.push(run);
      }
      runs.push(await measure('direct, again', directEnv, admin, directParties));
    } finally {
      await server.stop();
    }
    report(runs, loadAtStart);
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
