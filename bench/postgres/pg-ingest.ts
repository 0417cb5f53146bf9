/**
 * Durable ingest over HTTP into a PostgreSQL log, through one or several server processes
 * sharing the database (clients spread over them). Every 201 means committed with
 * synchronous_commit on and covered by the signed checkpoint in the response. After each run
 * the acknowledged events are checked against the database: every acknowledged id stored
 * exactly once, at the seq it was acknowledged with; and the tree is checked: the entries
 * are exactly [0, size), the stored frontier matches the signed root, the checkpoint after
 * the run is consistent with the one before it, and sampled acknowledged entries have
 * inclusion proofs to that root.
 */
import { verifyConsistency, verifyInclusion } from '../../src/core/proof.js';
import { loadFrontier } from '../../src/log/frontier.js';
import { consistencyProof, inclusionProof } from '../../src/log/proofs.js';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { BodyPool, IdSource, prng } from '../fixtures.js';
import { BATCH_EVENTS, SINGLE_CLIENTS } from '../http-ingest.js';
import { type CommitStats, commitStats, type LogCounters } from '../log-stats.js';
import { watchCpu } from '../machine.js';
import { type Latency, log } from '../stats.js';
import { type Acknowledged, multiLoad, spread } from './multi-load.js';
import { connect, walBytes, watchPostgres } from './pg-target.js';
import { sampleWaits, type WaitProfile } from './pg-waits.js';

export interface PgIngestContext {
  /** Base URLs of the server processes (one or more), all on the same log. */
  urls: string[];
  serverPids: number[];
  authorization: string;
  /** With `?schema=`. */
  databaseUrl: string;
  schema: string;
  seconds: number;
  batchClients: number;
}

export interface PgCpu {
  /** Percent of the whole machine (all cores = 100). */
  machineBusy: number;
  /** All server processes together, percent of ONE core; and their main threads. */
  servers: number;
  serverMainThreads: number;
  /** Every postgres process (backends, WAL writer, checkpointer…), percent of one core. */
  postgres: number;
  loadGenerator: number;
  /** Everything else, in cores. */
  othersCores: number;
  steal: number;
}

export interface Integrity {
  /** Events acknowledged with a 201 (from the response bodies). */
  acknowledged: number;
  distinctIds: number;
  /** Rows in entries holding an acknowledged id. */
  storedRows: number;
  /** Acknowledged (id, seq) pairs found as such in entries. */
  storedAtAckedSeq: number;
  lost: number;
  duplicated: number;
  /** Distinct seqs among the acknowledgements (two events never share a leaf). */
  distinctSeqs: number;
  /** count(entries) = max(seq) + 1 = signed tree size. */
  contiguous: boolean;
  /** The stored frontier rebuilds the signed root; the checkpoint is consistent with the one before. */
  treeMatches: boolean;
  consistentWithBefore: boolean;
  inclusionProofsChecked: number;
  ok: boolean;
}

export interface PgIngestRun {
  processes: number;
  clients: number;
  eventsPerRequest: number;
  seconds: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  latency: Latency;
  perProcess: { connections: number; requestsPerSecond: number; latency: Latency }[];
  failed: number;
  statuses: Record<string, number>;
  commits: CommitStats;
  /** WAL the server wrote per acknowledged event. */
  walBytesPerEvent: number;
  cpu: PgCpu;
  /** What the servers' append connections were doing in PostgreSQL meanwhile. */
  waits: WaitProfile;
  integrity: Integrity;
}

async function counters(ctx: PgIngestContext): Promise<LogCounters & { wal: number }> {
  const client = await connect(ctx.databaseUrl);
  try {
    const { rows } = await client.query(
      `SELECT count(*) AS commits, coalesce(max(size), 0) AS size FROM ${quoteIdent(ctx.schema)}.checkpoints`,
    );
    return {
      commits: Number(rows[0].commits),
      treeSize: Number(rows[0].size),
      wal: await walBytes(client),
    };
  } finally {
    await client.end();
  }
}

/** One load over every server, accounted for: CPU shares, group commits, WAL, integrity. */
async function measure(
  ctx: PgIngestContext,
  clients: number,
  eventsPerRequest: number,
  body: () => string,
): Promise<PgIngestRun> {
  const headers = { authorization: ctx.authorization, 'content-type': 'application/json' };
  const before = await counters(ctx);
  const servers = Object.fromEntries(ctx.serverPids.map((pid, i) => [`server ${i + 1}`, pid]));
  const cpu = watchCpu({ ...servers, 'load generator': process.pid });
  const pgCpu = watchPostgres();
  const stopSampling = await sampleWaits(ctx.databaseUrl);
  const r = await multiLoad({
    targets: spread(clients, ctx.urls),
    seconds: ctx.seconds,
    headers,
    body,
  });
  const share = cpu();
  const postgres = pgCpu();
  const waits = await stopSampling();
  const after = await counters(ctx);
  const commits = commitStats(before, after);
  const acked = r.ok * eventsPerRequest;
  if (r.acked.length !== acked)
    throw new Error(`${r.ok} responses acknowledged ${r.acked.length} events, not ${acked}`);
  const serverNames = Object.keys(servers);
  const sum = (m: Record<string, number>) => serverNames.reduce((s, n) => s + (m[n] ?? 0), 0);
  return {
    processes: ctx.urls.length,
    clients,
    eventsPerRequest,
    seconds: r.seconds,
    requestsPerSecond: r.okPerSecond,
    eventsPerSecond: r.okPerSecond * eventsPerRequest,
    latency: r.latency,
    perProcess: r.perTarget.map((t) => ({
      connections: t.connections,
      requestsPerSecond: t.ok / r.seconds,
      latency: t.latency,
    })),
    failed: r.failed,
    statuses: r.statuses,
    commits,
    walBytesPerEvent: (after.wal - before.wal) / Math.max(1, commits.entries),
    cpu: {
      machineBusy: share.machineBusy,
      servers: sum(share.processes),
      serverMainThreads: sum(share.mainThreads),
      postgres,
      loadGenerator: share.processes['load generator'] ?? 0,
      othersCores: Math.max(0, share.othersCores - postgres / 100),
      steal: share.steal,
    },
    waits,
    integrity: await checkIntegrity(ctx, r.acked, before.treeSize),
  };
}

const PROOF_SAMPLES = 200;

/** Every acknowledged event stored once at its seq; the tree whole and consistent. */
export async function checkIntegrity(
  ctx: PgIngestContext,
  acked: readonly Acknowledged[],
  sizeBefore: number,
): Promise<Integrity> {
  const ids = acked.map((a) => a.id);
  const distinctIds = new Set(ids).size;
  const distinctSeqs = new Set(acked.map((a) => a.seq)).size;
  const client = await connect(ctx.databaseUrl);
  const s = quoteIdent(ctx.schema);
  let storedRows = 0;
  let storedAtAckedSeq = 0;
  let contiguous = false;
  try {
    // In slices: one array parameter per 50k ids.
    for (let i = 0; i < acked.length; i += 50_000) {
      const slice = acked.slice(i, i + 50_000);
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM ${s}.entries WHERE id = ANY($1::text[])) AS stored,
                (SELECT count(*) FROM unnest($1::text[], $2::bigint[]) AS a (id, seq)
                   JOIN ${s}.entries e ON e.id = a.id AND e.seq = a.seq) AS at_seq`,
        [slice.map((a) => a.id), slice.map((a) => a.seq)],
      );
      storedRows += Number(rows[0].stored);
      storedAtAckedSeq += Number(rows[0].at_seq);
    }
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM ${s}.entries) AS n, (SELECT max(seq) FROM ${s}.entries) AS max_seq,
              (SELECT max(size) FROM ${s}.checkpoints) AS size`,
    );
    const n = Number(rows[0].n);
    contiguous = n === Number(rows[0].max_seq) + 1 && n === Number(rows[0].size);
  } finally {
    await client.end();
  }

  const store = await PostgresStore.open(ctx.databaseUrl, { poolSize: 2 });
  let treeMatches = false;
  let consistentWithBefore = false;
  let inclusionProofsChecked = 0;
  try {
    const head = await store.head();
    if (!head) throw new Error('integrity: the log is empty');
    // Rebuilds the right edge from the stored nodes and compares it with the signed root.
    treeMatches = await loadFrontier(store, head).then(
      () => true,
      () => false,
    );
    const old = await store.checkpoint(sizeBefore);
    if (old) {
      const proof = await consistencyProof(store, sizeBefore, head.size);
      consistentWithBefore = tryVerify(() =>
        verifyConsistency(sizeBefore, head.size, proof, old.rootHash, head.rootHash),
      );
    }
    const random = prng(acked.length);
    for (let i = 0; i < Math.min(PROOF_SAMPLES, acked.length); i++) {
      const a = acked[Math.floor(random() * acked.length)]!;
      const entry = await store.entryBySeq(a.seq);
      if (!entry || entry.id !== a.id) break;
      const proof = await inclusionProof(store, a.seq, head.size);
      if (!tryVerify(() => verifyInclusion(a.seq, head.size, entry.leafHash, proof, head.rootHash)))
        break;
      inclusionProofsChecked++;
    }
  } finally {
    await store.close();
  }
  const lost = distinctIds - storedAtAckedSeq;
  const duplicated = storedRows - Math.min(storedRows, distinctIds);
  return {
    acknowledged: acked.length,
    distinctIds,
    storedRows,
    storedAtAckedSeq,
    lost,
    duplicated,
    distinctSeqs,
    contiguous,
    treeMatches,
    consistentWithBefore,
    inclusionProofsChecked,
    ok:
      lost === 0 &&
      duplicated === 0 &&
      distinctIds === acked.length &&
      distinctSeqs === acked.length &&
      contiguous &&
      treeMatches &&
      consistentWithBefore &&
      inclusionProofsChecked === Math.min(PROOF_SAMPLES, acked.length),
  };
}

function tryVerify(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

function bodies() {
  const pool = new BodyPool(20_000, new IdSource());
  return { batch: () => pool.array(BATCH_EVENTS), single: () => pool.event() };
}

/** JSON arrays of 500 events from `batchClients` clients spread over the servers. */
export async function pgBatchIngest(ctx: PgIngestContext): Promise<PgIngestRun> {
  const body = bodies();
  const where = `${ctx.urls.length} server process${ctx.urls.length > 1 ? 'es' : ''}`;
  log(`PostgreSQL ingest: warm-up, ${where}`);
  await multiLoad({
    targets: spread(Math.max(4, ctx.urls.length), ctx.urls),
    seconds: 2,
    headers: { authorization: ctx.authorization, 'content-type': 'application/json' },
    body: body.batch,
  });
  log(`PostgreSQL ingest: arrays of ${BATCH_EVENTS}, ${ctx.batchClients} clients, ${where}`);
  const run = await measure(ctx, ctx.batchClients, BATCH_EVENTS, body.batch);
  log(
    `  ${Math.round(run.eventsPerSecond)} events/s, p50 ${run.latency.p50.toFixed(1)} ms, p99 ${run.latency.p99.toFixed(1)} ms, integrity ${run.integrity.ok ? 'ok' : 'FAILED'}`,
  );
  return run;
}

/** Single-event requests from 64 clients spread over the servers. */
export async function pgSingleIngest(ctx: PgIngestContext): Promise<PgIngestRun> {
  const body = bodies();
  const where = `${ctx.urls.length} server process${ctx.urls.length > 1 ? 'es' : ''}`;
  log(`PostgreSQL ingest: warm-up, ${where}`);
  await multiLoad({
    targets: spread(16, ctx.urls),
    seconds: 2,
    headers: { authorization: ctx.authorization, 'content-type': 'application/json' },
    body: body.single,
  });
  log(`PostgreSQL ingest: single events, ${SINGLE_CLIENTS} clients, ${where}`);
  const run = await measure(ctx, SINGLE_CLIENTS, 1, body.single);
  log(
    `  ${Math.round(run.requestsPerSecond)} requests/s, p50 ${run.latency.p50.toFixed(1)} ms, p99 ${run.latency.p99.toFixed(1)} ms, integrity ${run.integrity.ok ? 'ok' : 'FAILED'}`,
  );
  return run;
}
