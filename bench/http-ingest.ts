/**
 * Durable ingest over HTTP against the server process: every 201 means committed, fsynced
 * and covered by the signed checkpoint in the response. Scenarios: JSON arrays of 500
 * events; single events from 64 clients at full speed; single events at half that rate.
 */
import { BodyPool, IdSource } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { type CommitStats, commitStats, logCounters } from './log-stats.js';
import { type CpuShare, watchCpu } from './machine.js';
import { pacedLoad } from './paced-load.js';
import { type Latency, log } from './stats.js';

export const BATCH_EVENTS = 500;
export const SINGLE_CLIENTS = 64;

export interface IngestRun {
  clients: number;
  eventsPerRequest: number;
  /** Offered rate (requests/s) for rate-limited runs. */
  offeredRate?: number;
  seconds: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  latency: Latency;
  /** Open-loop runs: the latency of the requests due in each second, where the tail sits. */
  latencyBySecond?: Latency[];
  failed: number;
  commits: CommitStats;
  cpu: CpuShare;
}

export interface SingleResults {
  single: IngestRun;
  halfPaced: IngestRun;
  halfAutocannon: IngestRun & { autocannonP99: number };
}

export interface IngestContext {
  url: string;
  authorization: string;
  databaseFile: string;
  serverPid: number;
  seconds: number;
  batchClients: number;
}

type Load = () => Promise<{
  ok: number;
  okPerSecond: number;
  failed: number;
  latency: Latency;
  bySecond?: Latency[];
}>;

/** Runs one load and accounts for it: CPU shares, group commits, and acked ⊆ stored. */
async function measure(
  ctx: IngestContext,
  clients: number,
  eventsPerRequest: number,
  run: Load,
  offeredRate?: number,
): Promise<IngestRun> {
  const before = logCounters(ctx.databaseFile);
  const cpu = watchCpu({ server: ctx.serverPid, 'load generator': process.pid });
  const start = performance.now();
  const r = await run();
  const seconds = (performance.now() - start) / 1000;
  const share = cpu();
  const commits = commitStats(before, logCounters(ctx.databaseFile));
  const acked = r.ok * eventsPerRequest;
  if (commits.entries < acked)
    throw new Error(`acknowledged ${acked} events but the tree grew by ${commits.entries}`);
  return {
    clients,
    eventsPerRequest,
    ...(offeredRate ? { offeredRate } : {}),
    seconds,
    requestsPerSecond: r.okPerSecond,
    eventsPerSecond: r.okPerSecond * eventsPerRequest,
    latency: r.latency,
    ...(r.bySecond ? { latencyBySecond: r.bySecond } : {}),
    failed: r.failed,
    commits,
    cpu: share,
  };
}

function setup(ctx: IngestContext) {
  const pool = new BodyPool(20_000, new IdSource());
  return {
    url: `${ctx.url}/api/v1/events`,
    headers: { authorization: ctx.authorization, 'content-type': 'application/json' },
    batchBody: () => pool.array(BATCH_EVENTS),
    singleBody: () => pool.event(),
  };
}

/** JSON arrays of 500 events from `batchClients` clients, as fast as acks come back. */
export async function batchIngest(ctx: IngestContext): Promise<IngestRun> {
  const { url, headers, batchBody } = setup(ctx);
  log('HTTP ingest: warm-up');
  await closedLoad({ url, connections: 4, seconds: 2, method: 'POST', headers, body: batchBody });
  log(`HTTP ingest: arrays of ${BATCH_EVENTS}, ${ctx.batchClients} clients, ${ctx.seconds} s`);
  const batch = await measure(ctx, ctx.batchClients, BATCH_EVENTS, () =>
    closedLoad({
      url,
      connections: ctx.batchClients,
      seconds: ctx.seconds,
      method: 'POST',
      headers,
      body: batchBody,
    }),
  );
  log(`  ${Math.round(batch.eventsPerSecond)} events/s, p99 ${batch.latency.p99.toFixed(1)} ms`);
  return batch;
}

/** Single-event requests from 64 clients: full speed, then half that rate (two ways). */
export async function singleIngest(ctx: IngestContext): Promise<SingleResults> {
  const { url, headers, singleBody } = setup(ctx);
  log('HTTP ingest: warm-up');
  await closedLoad({ url, connections: 16, seconds: 2, method: 'POST', headers, body: singleBody });

  log(`HTTP ingest: single events, ${SINGLE_CLIENTS} clients, ${ctx.seconds} s`);
  const single = await measure(ctx, SINGLE_CLIENTS, 1, () =>
    closedLoad({
      url,
      connections: SINGLE_CLIENTS,
      seconds: ctx.seconds,
      method: 'POST',
      headers,
      body: singleBody,
    }),
  );
  log(
    `  ${Math.round(single.requestsPerSecond)} requests/s, p99 ${single.latency.p99.toFixed(1)} ms`,
  );

  const half = Math.max(1, Math.round(single.requestsPerSecond / 2));
  log(`HTTP ingest: single events at half load (${half}/s), paced, ${ctx.seconds} s`);
  const halfPaced = await measure(
    ctx,
    SINGLE_CLIENTS,
    1,
    () =>
      pacedLoad({
        url,
        ratePerSecond: half,
        seconds: ctx.seconds,
        connections: SINGLE_CLIENTS,
        headers,
        body: singleBody,
      }),
    half,
  );
  log(`  p99 ${halfPaced.latency.p99.toFixed(1)} ms`);

  log(`HTTP ingest: single events at half load (${half}/s), autocannon overallRate`);
  let autocannonP99 = Number.NaN;
  const halfAutocannon = await measure(
    ctx,
    SINGLE_CLIENTS,
    1,
    async () => {
      const r = await closedLoad({
        url,
        connections: SINGLE_CLIENTS,
        seconds: ctx.seconds,
        method: 'POST',
        headers,
        body: singleBody,
        overallRate: half,
      });
      autocannonP99 = r.autocannonP99;
      return r;
    },
    half,
  );
  log(`  p99 ${halfAutocannon.latency.p99.toFixed(1)} ms`);
  return { single, halfPaced, halfAutocannon: { ...halfAutocannon, autocannonP99 } };
}
