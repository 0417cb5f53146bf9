/**
 * Retention at scale on PostgreSQL (docs/retention.md, "PostgreSQL at scale").
 *
 *   EVIDENT_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --import tsx bench/postgres/purge.ts [entries=10000000]
 *
 * 1. Opens a fresh schema (every migration, so the partitioned entry_payloads of migration 13)
 *    and fills `entries` rows over 12 months of received_at (synthetic-payloads.ts: INSERT …
 *    SELECT generate_series, SYNTHETIC: leaf hashes sha256(seq), no tree nodes or
 *    checkpoints); the retention.purge events the purges name are inserted the same way.
 *    Nothing here verifies; it times the storage of a purge.
 * 2. Purges the 11 oldest months whole with purgePayloads (the code the purge runner, the
 *    start-up re-apply and verify's marks use), one call per month, each a range of one row
 *    in purged_payloads — while an appender runs the real append path (store.append, one
 *    batch of 100 at a time) into month 12, so ingest latency during the purge is measured.
 * 3. Month 12 partly purgeable: every 2nd entry is from a source under a legal hold (kept),
 *    so the other half goes row by row (DELETE), and separately a slice where 1 in 10 stays
 *    (rewritten: survivors copied aside, the month truncated, survivors put back).
 * 4. Limits measured in the same run, for the ratios: a raw TRUNCATE of a copy of one month's
 *    payloads (the floor), and the pre-migration-13 way for the same month: one UPDATE
 *    emptying its records in a plain table (the set-based best case of the old per-row
 *    statements), on a copy.
 * Prints one JSON document; the figures go to BENCHMARKS.md "Retention at scale (PostgreSQL)".
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { leafHash } from '../../src/core/merkle.js';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { NewEntry } from '../../src/store/store.js';
import { purgePayloads } from '../../src/store/tables/retention/purged-payloads-table.js';
import { fillSyntheticPayloads, monthStart } from './synthetic-payloads.js';

const URL = process.env.EVIDENT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = Number(process.argv[2] ?? 10_000_000);
const MONTHS = 12;

const schema = `evident_bench_purge_${Date.now()}`;
const s = quoteIdent(schema);
const log = (...a: unknown[]) => console.error(new Date().toISOString(), ...a);
const secondsSince = (t: number) => (performance.now() - t) / 1000;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const store = await PostgresStore.open(`${URL}?schema=${schema}`);
  const sql = new Client({ connectionString: URL });
  await sql.connect();
  const q = (text: string, values?: unknown[]) => sql.query(text, values);
  const perMonth = Math.floor(TOTAL / MONTHS);
  const result: Record<string, unknown> = { entries: perMonth * MONTHS, perMonth, schema };
  try {
    // 1. Fill.
    const fillStart = performance.now();
    await fillSyntheticPayloads(sql, schema, perMonth, MONTHS, (m) =>
      log(`filled month ${m + 1}/${MONTHS}`),
    );
    const total = perMonth * MONTHS;
    // The purge events (synthetic, see the header): one per purge below, after every entry.
    const events = MONTHS + 3;
    await q(
      `INSERT INTO ${s}.entry_leaves (seq, id, source, action, target_type, outcome, time_ms, received_at_ms, leaf_hash, actor_digest, target_digest)
       SELECT i, 'purge-' || i, 'evident', 'retention.purge', 'retention_policy', 'success', $2, $2, sha256(int8send(i)), 'sha256:x', NULL
       FROM generate_series($1::bigint, $1::bigint + $3 - 1) AS i`,
      [total, monthStart(MONTHS) - 1, events],
    );
    await q(`ANALYZE ${s}.entry_leaves; ANALYZE ${s}.entry_payloads`);
    result.fillSeconds = secondsSince(fillStart);
    log('fill done', result.fillSeconds);

    // 4a. Limits, on copies of month 1 (before it is purged).
    const copy = await timed(() =>
      q(`CREATE TABLE ${s}.bench_copy AS SELECT * FROM ${s}.entry_payloads_202501`),
    );
    result.copyMonthSeconds = copy;
    result.rawTruncateMonthSeconds = await timed(() => q(`TRUNCATE ${s}.bench_copy`));
    await q(
      `CREATE TABLE ${s}.bench_old AS SELECT l.seq, l.id, l.source, p.actor_id, p.target_id, p.record
       FROM ${s}.entry_leaves l JOIN ${s}.entry_payloads_202501 p USING (seq)`,
    );
    await q(`ALTER TABLE ${s}.bench_old ADD PRIMARY KEY (seq)`);
    await q(`CREATE INDEX ON ${s}.bench_old (actor_id, seq)`);
    await q(`CREATE INDEX ON ${s}.bench_old (target_id, seq)`);
    result.oldUpdateMonthSeconds = await timed(() =>
      q(
        `UPDATE ${s}.bench_old SET record = '', actor_id = 'sha256:' || md5(actor_id), target_id = 'sha256:' || md5(target_id)`,
      ),
    );
    await q(`DROP TABLE ${s}.bench_copy, ${s}.bench_old`);
    log('limits done');

    // 2. Whole months, with ingest into month 12 running beside.
    const ingest = startIngest(store, total + events);
    await sleep(3000);
    const quiet = ingest.take();
    const purgeStart = performance.now();
    const monthSeconds: number[] = [];
    let purged = 0;
    for (let m = 0; m < MONTHS - 1; m++) {
      const t = performance.now();
      purged += await store.transaction((tx) =>
        purgePayloads(tx, {
          purgeSeq: total + m,
          ranges: [[m * perMonth, (m + 1) * perMonth - 1]],
          atMs: Date.now(),
        }),
      );
      monthSeconds.push(secondsSince(t));
    }
    result.wholeMonths = {
      months: MONTHS - 1,
      purged,
      seconds: secondsSince(purgeStart),
      perMonthSeconds: monthSeconds,
      markRows: Number((await q(`SELECT count(*) AS n FROM ${s}.purged_payloads`)).rows[0].n),
    };
    const during = ingest.take();
    await sleep(3000);
    const afterPurge = ingest.take();
    await ingest.stop();
    result.ingest = { beforePurge: quiet, duringPurge: during, afterPurge };
    log('whole months done', result.wholeMonths);

    // 3. Month 12, partly purgeable: the odd seqs (source hr, held) stay.
    const m12 = (MONTHS - 1) * perMonth;
    const half = (perMonth / 2) | 0;
    const evenRanges: [number, number][] = [];
    for (let i = m12; i < m12 + half; i += 2) evenRanges.push([i, i]);
    const deleteStart = performance.now();
    const deleted = await store.transaction((tx) =>
      purgePayloads(tx, { purgeSeq: total + MONTHS - 1, ranges: evenRanges, atMs: Date.now() }),
    );
    result.partlyHalf = {
      purged: deleted,
      seconds: secondsSince(deleteStart),
      ranges: evenRanges.length,
    };
    // The second half of month 12: 9 in 10 go (a hold keeps every 10th), so the month is rewritten.
    const nineRanges: [number, number][] = [];
    for (let i = m12 + half; i < m12 + perMonth; i += 10) {
      nineRanges.push([i, Math.min(i + 8, m12 + perMonth - 1)]);
    }
    const rewriteStart = performance.now();
    const rewritten = await store.transaction((tx) =>
      purgePayloads(tx, { purgeSeq: total + MONTHS, ranges: nineRanges, atMs: Date.now() }),
    );
    result.partlyNineInTen = {
      purged: rewritten,
      seconds: secondsSince(rewriteStart),
      ranges: nineRanges.length,
      left: Number((await q(`SELECT count(*) AS n FROM ${s}.entry_payloads_202512`)).rows[0].n),
    };
    result.load = { before: loadBefore, after: loadavg() };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await store.close();
    if (process.env.EVIDENT_BENCH_KEEP !== '1') await q(`DROP SCHEMA ${s} CASCADE`);
    await sql.end();
  }
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return secondsSince(t);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Appends batches of 100 through store.append into December 2025, one at a time. */
function startIngest(store: PostgresStore, firstSeq: number) {
  let seq = firstSeq;
  let running = true;
  let latencies: number[] = [];
  let since = performance.now();
  const at = Date.UTC(2025, 11, 31);
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await store.append(async (tx) => {
        const entries: NewEntry[] = [];
        for (let i = 0; i < 100; i++, seq++) {
          const record = `{"action":"x.write","actor":{"id":"u-${seq}"},"id":"n-${seq}"}`;
          entries.push({
            seq,
            id: `n-${seq}`,
            source: 'billing',
            leafHash: leafHash(record),
            record,
            actorId: `u-${seq}`,
            action: 'x.write',
            targetType: null,
            targetId: null,
            outcome: 'success',
            timeMs: at,
            receivedAtMs: at,
          });
        }
        await tx.insert({
          entries,
          nodes: [],
          checkpoint: { size: seq, rootHash: new Uint8Array(32), note: 'bench\n', createdAtMs: at },
        });
      });
      latencies.push(performance.now() - t);
    }
  })();
  return {
    take() {
      const sorted = [...latencies].sort((a, b) => a - b);
      const seconds = secondsSince(since);
      const pick = (p: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      const out = {
        batches: sorted.length,
        entriesPerSecond: Math.round((sorted.length * 100) / seconds),
        p50Ms: Math.round(pick(0.5)),
        p99Ms: Math.round(pick(0.99)),
        maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
      };
      latencies = [];
      since = performance.now();
      return out;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

await main();
