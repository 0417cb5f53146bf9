/**
 * `npm run bench:gateway`: pgbench -S through the PostgreSQL gateway vs straight to the
 * database, in the same run, and a check that every statement reached the log.
 *   BENCH_PG_URL           the database (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_GATEWAY_SECONDS  seconds per pgbench run (default 15)
 *   BENCH_GATEWAY_CLIENTS  pgbench -c (default 8; -j 2)
 *   BENCH_GATEWAY_REDACT   the gateways' --redact policy (default literals, the gateway's default)
 * Prints a Markdown table to paste into BENCHMARKS.md.
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
import { ADMIN_TOKEN, startServerProcess } from './server.js';

const execFileAsync = promisify(execFile);
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS || 15);
const CLIENTS = Number(process.env.BENCH_GATEWAY_CLIENTS || 8);
const REDACT: RedactionPolicy = (() => {
  const policy = process.env.BENCH_GATEWAY_REDACT || 'literals';
  if (!isRedactionPolicy(policy))
    throw new Error('BENCH_GATEWAY_REDACT must be none, literals or all');
  return policy;
})();

interface Run {
  label: string;
  tps: number;
  transactions: number;
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

/** Asynchronous, so a gateway running in this process keeps serving meanwhile. */
async function measure(
  label: string,
  env: Record<string, string>,
  seconds = SECONDS,
): Promise<Run> {
  const { stdout: out } = await execFileAsync(
    'pgbench',
    ['-n', '-S', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds)],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
  const transactions = Number(/actually processed: (\d+)/.exec(out)?.[1]);
  console.error(`${label}: ${tps.toFixed(0)} TPS, ${transactions} transactions`);
  return { label, tps, transactions };
}

function startGateway(
  args: string[],
): Promise<{ port: number; child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'gateway', ...args],
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
    try {
      pgbench(direct, ['-i', '-q', '-s', '10']);
      runs.push(await measure('direct', direct));
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
        const run = await measure(`gateway, ${mode}`, {
          ...direct,
          PGPORT: String(gw.port),
          PGUSER: person,
          PGPASSWORD: secret,
        });
        await stopGateway(gw.child); // drains the queue before exiting
        run.events = await countSelects(server.url, person);
        const sent = /(\d+) events in (\d+) requests \(largest (\d+), up to (\d+) in flight\)/.exec(
          gw.output(),
        );
        if (sent)
          run.queue = `${(Number(sent[1]) / Number(sent[2])).toFixed(1)} events per request (largest ${sent[3]}), up to ${sent[4]} requests in flight`;
        runs.push(run);
      }
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
        // Warm up first: V8 compiles the parser's WebAssembly to optimised code while it runs,
        // a one-off cost a long-running gateway does not pay per statement.
        await measure('warm-up (not counted)', through, 3);
        const warmEvents = events;
        const warmQueue = gw.audit.stats();
        // CPU time is steadier than TPS on a shared machine: the gateway's own, per transaction.
        const cpuBefore = process.cpuUsage();
        const run = await measure('gateway, observe, log stand-in (gateway cost only)', through);
        const cpu = process.cpuUsage(cpuBefore);
        await gw.close();
        run.label += `, ${Math.round((cpu.user + cpu.system) / run.transactions)} µs gateway CPU per transaction`;
        run.events = events - warmEvents;
        const sent = gw.audit.stats();
        run.queue = `${((sent.events - warmQueue.events) / (sent.requests - warmQueue.requests)).toFixed(1)} events per request`;
        runs.push(run);
      }
      runs.push(await measure('direct, again', direct));
    } finally {
      await server.stop();
    }
    const base = (runs[0]!.tps + runs[runs.length - 1]!.tps) / 2;
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
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
