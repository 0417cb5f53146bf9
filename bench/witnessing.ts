/**
 * What witnessing costs ingest: the same durable HTTP ingest (arrays of 500 from
 * BENCH_BATCH_CLIENTS clients) into a fresh log, in turn without witnesses, with three
 * `evident witness serve` processes on loopback cosigning asynchronously (`serve
 * --witness-policy`), and with witnessed acks (`--witnessed-ack`, quorum 2 of 3): there the
 * ack latency is the witnessed-ack latency under load. Then one client sending one event at
 * a time with witnessed acks: the latency a lone sender sees. Also how far asynchronous
 * witnessing trails the log: after the load, the time until the head carries all three
 * cosignatures.
 * Alone: node --import tsx bench/witnessing.ts (prints the section; BENCH_SERVER=tsx skips
 * the build, BENCH_WITNESS_SECONDS and BENCH_WITNESS_ROUNDS as below).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createIngestKey } from '../src/access/credentials/ingest-keys.js';
import { generateSeed } from '../src/core/ed25519.js';
import { formatVerifierKey } from '../src/core/note.js';
import { checkCosignatures, parseWitnessPolicy } from '../src/core/witness-policy.js';
import { openLog } from '../src/log/open-log.js';
import { systemClock } from '../src/util/clock.js';
import { formatWitnessSecretKey, parseWitnessSecretKey } from '../src/witness/witness-key.js';
import { BodyPool, IdSource } from './fixtures.js';
import { BATCH_EVENTS } from './http-ingest.js';
import { closedLoad } from './http-load.js';
import { watchCpu } from './machine.js';
import {
  ADMIN_TOKEN,
  buildServer,
  type ServerMode,
  type ServerProcess,
  spawnEvidentServe,
  spawnServer,
} from './server.js';
import { type Latency, latency, log } from './stats.js';

/** none: no witnesses; async: three, acks do not wait; ack: three, acks wait for two. */
export type WitnessingMode = 'none' | 'async' | 'ack';

export interface WitnessingRun {
  mode: WitnessingMode;
  witnesses: 0 | 3;
  round: number;
  eventsPerSecond: number;
  latency: Latency;
  failed: number;
  serverCpu: number;
  othersCores: number;
  /** Seconds from the end of the load until the head carries all cosignatures. */
  lagSeconds?: number;
  /** After the load: one client, one event per request (witnessed acks in ack mode). */
  lone?: { requests: number; latency: Latency; witnessed: number };
  /** ack mode: answers with witnessed: false (the timeout struck). */
  notWitnessed?: number;
}

const ACK_QUORUM = 2;

export interface WitnessingOptions {
  mode: ServerMode;
  main: string;
  dir: string;
  seconds: number;
  clients: number;
  rounds: number;
}

export async function witnessingOverhead(options: WitnessingOptions): Promise<WitnessingRun[]> {
  mkdirSync(options.dir, { recursive: true });
  const runs: WitnessingRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const mode of ['none', 'async', 'ack'] as const) {
      log(`witnessing: round ${round}, ${mode}, ${options.seconds} s`);
      const run = await ingestRun(options, mode, round);
      log(
        `  ${Math.round(run.eventsPerSecond)} events/s, p99 ${run.latency.p99.toFixed(0)} ms` +
          (run.lagSeconds === undefined ? '' : `, cosigned ${run.lagSeconds.toFixed(2)} s after`) +
          (run.lone ? `, lone sender p99 ${run.lone.latency.p99.toFixed(1)} ms` : ''),
      );
      runs.push(run);
    }
  }
  return runs;
}

async function ingestRun(
  options: WitnessingOptions,
  mode: WitnessingMode,
  round: number,
): Promise<WitnessingRun> {
  const witnessCount = mode === 'none' ? 0 : 3;
  const dir = join(options.dir, `${mode}-${round}`);
  rmSync(dir, { recursive: true, force: true });
  const dataDir = join(dir, 'log');
  const opened = await openLog({ dataDir, origin: 'bench.evident/witnessing' });
  const key = await createIngestKey(opened.store, systemClock, 'bench', 'witnessing benchmark');
  const logKey = formatVerifierKey(opened.signer.name, opened.signer.publicKey);
  await opened.close();
  const entry =
    options.mode === 'compiled' ? [options.main] : ['--import', 'tsx', 'src/cli/main.ts'];
  const witnesses: ServerProcess[] = [];
  const policyLines: string[] = [];
  let server: ServerProcess | undefined;
  try {
    writeFileSync(join(dir, 'witness.conf'), `log ${logKey}\n`);
    for (let i = 1; i <= witnessCount; i++) {
      const wdir = join(dir, `witness-${i}`);
      mkdirSync(wdir, { recursive: true, mode: 0o700 });
      const secret = formatWitnessSecretKey(`w${i}.bench`, generateSeed());
      writeFileSync(join(wdir, 'witness.key'), `${secret}\n`, { mode: 0o600 });
      const w = await spawnServer([
        ...entry,
        'witness',
        'serve',
        '--name',
        `w${i}.bench`,
        '--config',
        join(dir, 'witness.conf'),
        '--data',
        wdir,
        '--port',
        '0',
      ]);
      witnesses.push(w);
      policyLines.push(`witness ${parseWitnessSecretKey(secret).verifierKey} ${w.url}`);
    }
    const policyFile = join(dir, 'policy.txt');
    const quorum = mode === 'ack' ? ACK_QUORUM : Math.max(1, witnessCount);
    writeFileSync(policyFile, `${policyLines.join('\n')}\nquorum ${quorum}\n`);
    server = await spawnEvidentServe(options, dataDir, [
      '--no-monitor',
      ...(witnessCount > 0 ? ['--witness-policy', policyFile] : []),
      ...(mode === 'ack' ? ['--witnessed-ack'] : []),
    ]);
    const pool = new BodyPool(20_000, new IdSource());
    const load = (seconds: number) =>
      closedLoad({
        url: `${server!.url}/api/v1/events`,
        connections: options.clients,
        seconds,
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: () => pool.array(BATCH_EVENTS),
      });
    await load(2);
    const cpu = watchCpu({ server: server.pid });
    const result = await load(options.seconds);
    const share = cpu();
    const run: WitnessingRun = {
      mode,
      witnesses: witnessCount,
      round,
      eventsPerSecond: result.okPerSecond * BATCH_EVENTS,
      latency: result.latency,
      failed: result.failed,
      serverCpu: share.processes.server ?? 0,
      othersCores: share.othersCores,
    };
    if (mode === 'async') {
      const policy = parseWitnessPolicy(`${policyLines.join('\n')}\nquorum ${witnessCount}\n`);
      run.lagSeconds = await cosignLag(server.url, policy);
    }
    if (mode === 'ack') run.notWitnessed = await countNotWitnessed(server.url, key.key, pool);
    run.lone = await loneSender(server.url, key.key, pool, Math.max(2, options.seconds / 2));
    return run;
  } finally {
    await server?.stop();
    for (const w of witnesses) await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One client, one event per request, one after the other: a lone sender's witnessed ack. */
async function loneSender(
  url: string,
  ingestKey: string,
  pool: BodyPool,
  seconds: number,
): Promise<NonNullable<WitnessingRun['lone']>> {
  const samples: number[] = [];
  let witnessed = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const start = performance.now();
    const res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: pool.event(),
    });
    const body = (await res.json()) as { witnessed?: boolean };
    samples.push(performance.now() - start);
    if (res.status !== 201) throw new Error(`witnessed ingest answered ${res.status}`);
    if (body.witnessed === true) witnessed++;
  }
  return { requests: samples.length, latency: latency(samples), witnessed };
}

/** A sample of answers under load: how many came back witnessed: false. */
async function countNotWitnessed(url: string, ingestKey: string, pool: BodyPool): Promise<number> {
  const answers = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const res = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
        body: pool.array(BATCH_EVENTS),
      });
      return ((await res.json()) as { witnessed?: boolean }).witnessed;
    }),
  );
  return answers.filter((w) => w !== true).length;
}

async function cosignLag(
  url: string,
  policy: ReturnType<typeof parseWitnessPolicy>,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    const res = await fetch(`${url}/api/v1/log/checkpoint`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (checkCosignatures(await res.text(), policy).ok) return (performance.now() - start) / 1000;
    if (performance.now() - start > 60_000) throw new Error('the head was not cosigned in 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

const MODE_NAMES: Record<WitnessingMode, string> = {
  none: 'no witnesses',
  async: '3, asynchronous',
  ack: '3, witnessed ack (2 of 3)',
};

/** What the report says of how the runs were made. */
export type WitnessingSetup = Pick<WitnessingOptions, 'mode' | 'seconds' | 'clients'>;

export function witnessingMarkdown(runs: WitnessingRun[], options: WitnessingSetup): string {
  const rows = runs.map(
    (r) =>
      `| ${MODE_NAMES[r.mode]} | ${r.round} | ${int(r.eventsPerSecond)} | ${r.latency.p50.toFixed(0)} | ${r.latency.p99.toFixed(0)} | ${r.serverCpu.toFixed(0)}% | ${r.othersCores.toFixed(2)} | ${r.lagSeconds === undefined ? '—' : `${r.lagSeconds.toFixed(2)} s`} | ${r.failed} |`,
  );
  const mean = (mode: WitnessingMode) => {
    const xs = runs.filter((r) => r.mode === mode).map((r) => r.eventsPerSecond);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  // Each round's async run against the no-witness run next to it, then their median.
  const ratios = runs
    .filter((r) => r.mode === 'async')
    .map(
      (a) =>
        a.eventsPerSecond /
        runs.find((r) => r.mode === 'none' && r.round === a.round)!.eventsPerSecond,
    )
    .sort((a, b) => a - b);
  const mid = Math.floor(ratios.length / 2);
  const median =
    ratios.length % 2 === 1
      ? ratios[mid]!
      : ((ratios[mid - 1] ?? Number.NaN) + (ratios[mid] ?? Number.NaN)) / 2;
  const lone = runs.filter((r) => r.lone !== undefined);
  const loneRows = lone.map(
    (r) =>
      `| ${MODE_NAMES[r.mode]} | ${r.round} | ${r.lone!.requests} | ${r.mode === 'ack' ? r.lone!.witnessed : '—'} | ${r.lone!.latency.p50.toFixed(1)} | ${r.lone!.latency.p99.toFixed(1)} | ${r.lone!.latency.max.toFixed(1)} | ${r.notWitnessed ?? '—'} |`,
  );
  return `## Witnessing: ingest without witnesses, with asynchronous witnessing and with witnessed acks

Durable HTTP ingest (arrays of ${BATCH_EVENTS}, ${options.clients} clients, ${options.seconds} s per run, ${options.mode} server) into a
fresh SQLite log, in turn without witnesses, with three \`evident witness serve\` processes on
loopback cosigning asynchronously (\`serve --witness-policy\`: acks do not wait), and with
witnessed acks (\`--witnessed-ack\`, quorum 2 of 3: each ack waits until two witnesses
cosigned a checkpoint covering it). Lag: from the end of the load until the head checkpoint
carries all three cosignatures (asynchronous runs).

| witnesses | round | events/s | p50 ms | p99 ms | server CPU | other processes (cores) | lag | failed |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Means: ${int(mean('none'))} events/s without witnesses, ${int(mean('async'))} with asynchronous witnessing,
${int(mean('ack'))} with witnessed acks. **Asynchronous witnessing vs none: ${median.toFixed(2)}** (median of
the per-round ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}).

A lone sender after the load (one client, one event per request, one after the other), in each
setting: what a witnessed ack adds to the latency of one request; and how many of 20
concurrent arrays sent right after the load were answered \`witnessed: false\`:

| witnesses | round | requests | witnessed | p50 ms | p99 ms | max ms | not witnessed of 20 |
|---|---|---|---|---|---|---|---|
${loneRows.join('\n')}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = resolve('.bench-data', `witnessing-${process.pid}`);
  const mode: ServerMode = process.env.BENCH_SERVER === 'tsx' ? 'tsx' : 'compiled';
  try {
    const options: WitnessingOptions = {
      mode,
      main: mode === 'compiled' ? buildServer(join(dir, 'dist')) : '',
      dir,
      seconds: Number(process.env.BENCH_WITNESS_SECONDS || 10),
      clients: Number(process.env.BENCH_BATCH_CLIENTS || 8),
      rounds: Number(process.env.BENCH_WITNESS_ROUNDS || 2),
    };
    console.log(witnessingMarkdown(await witnessingOverhead(options), options));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
