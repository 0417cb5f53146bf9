/**
 * What asynchronous witnessing costs ingest: the same durable HTTP ingest (arrays of 500
 * from BENCH_BATCH_CLIENTS clients) into a fresh log, alternately without witnesses and with
 * three `evident witness serve` processes on loopback (`serve --witness-policy`). Also how
 * far witnessing trails the log: after the load, the time until the head checkpoint carries
 * all three cosignatures.
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
import { type Latency, log } from './stats.js';

export interface WitnessingRun {
  witnesses: 0 | 3;
  round: number;
  eventsPerSecond: number;
  latency: Latency;
  failed: number;
  serverCpu: number;
  othersCores: number;
  /** Seconds from the end of the load until the head carries all cosignatures. */
  lagSeconds?: number;
}

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
    for (const witnesses of [0, 3] as const) {
      log(`witnessing: round ${round}, ${witnesses} witnesses, ${options.seconds} s`);
      const run = await ingestRun(options, witnesses, round);
      log(
        `  ${Math.round(run.eventsPerSecond)} events/s, p99 ${run.latency.p99.toFixed(0)} ms` +
          (run.lagSeconds === undefined ? '' : `, cosigned ${run.lagSeconds.toFixed(2)} s after`),
      );
      runs.push(run);
    }
  }
  return runs;
}

async function ingestRun(
  options: WitnessingOptions,
  witnessCount: 0 | 3,
  round: number,
): Promise<WitnessingRun> {
  const dir = join(options.dir, `w${witnessCount}-${round}`);
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
    writeFileSync(policyFile, `${policyLines.join('\n')}\nquorum ${Math.max(1, witnessCount)}\n`);
    server = await spawnEvidentServe(options, dataDir, [
      '--no-monitor',
      ...(witnessCount > 0 ? ['--witness-policy', policyFile] : []),
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
      witnesses: witnessCount,
      round,
      eventsPerSecond: result.okPerSecond * BATCH_EVENTS,
      latency: result.latency,
      failed: result.failed,
      serverCpu: share.processes.server ?? 0,
      othersCores: share.othersCores,
    };
    if (witnessCount > 0) {
      const policy = parseWitnessPolicy(`${policyLines.join('\n')}\nquorum ${witnessCount}\n`);
      run.lagSeconds = await cosignLag(server.url, policy);
    }
    return run;
  } finally {
    await server?.stop();
    for (const w of witnesses) await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
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

export function witnessingMarkdown(runs: WitnessingRun[], options: WitnessingOptions): string {
  const rows = runs.map(
    (r) =>
      `| ${r.witnesses} | ${r.round} | ${int(r.eventsPerSecond)} | ${r.latency.p99.toFixed(0)} | ${r.serverCpu.toFixed(0)}% | ${r.othersCores.toFixed(2)} | ${r.lagSeconds === undefined ? '—' : `${r.lagSeconds.toFixed(2)} s`} | ${r.failed} |`,
  );
  const mean = (w: number) => {
    const xs = runs.filter((r) => r.witnesses === w).map((r) => r.eventsPerSecond);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return `## Witnessing: ingest without and with three witnesses

Durable HTTP ingest (arrays of ${BATCH_EVENTS}, ${options.clients} clients, ${options.seconds} s per run, ${options.mode} server) into a
fresh SQLite log, alternately without witnesses and with three \`evident witness serve\`
processes on loopback (\`serve --witness-policy\`, asynchronous: acks do not wait for witnesses).
Lag: from the end of the load until the head checkpoint carries all three cosignatures.

| witnesses | round | events/s | p99 ms | server CPU | other processes (cores) | lag | failed |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Means: ${int(mean(0))} events/s without, ${int(mean(3))} with three witnesses.
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
