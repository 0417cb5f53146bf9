import { sql } from 'kysely';
import { int, type Row } from '../../rows.js';
import type { QueryRunner } from '../../sql/query-runner.js';

/** An inclusive seq range [first, last]. */
export type SeqRange = readonly [number, number];

/** Partition names are the UTC month: entry_payloads_YYYYMM (migration 13, evident_payload_month). */
export function payloadPartition(receivedAtMs: number): string {
  const d = new Date(receivedAtMs);
  return `entry_payloads_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The partitions between two instants, both months included. */
function partitionsBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  const d = new Date(fromMs);
  let at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  while (at <= toMs) {
    out.push(payloadPartition(at));
    const m = new Date(at);
    at = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: raw statements on tables Kysely is not told about
const raw = (q: QueryRunner, text: ReturnType<typeof sql<any>>) => ({
  compile: () => text.compile(q.db),
});

/**
 * The log's schema, as the runner's builder qualifies table names (raw SQL is not qualified
 * by Kysely's withSchema): `"schema"` quoted, and the plain name.
 */
function logSchema(q: QueryRunner): { quoted: string; name: string } {
  const text = q.db.selectFrom('entry_leaves').selectAll().compile().sql;
  const quoted = /from ("(?:[^"]|"")*")\./.exec(text)?.[1];
  if (quoted === undefined) throw new Error('the PostgreSQL runner names no schema');
  return { quoted, name: quoted.slice(1, -1).replaceAll('""', '"') };
}

/** `schema.table` for raw SQL. */
function tableIn(schema: { quoted: string }, table: string) {
  return sql.raw(`${schema.quoted}."${table.replaceAll('"', '""')}"`);
}

/** What happened to one month's partition. */
export type PartitionStep = 'truncated' | 'rewritten' | 'deleted';

export interface RemovedPayloads {
  removed: number;
  steps: Map<string, PartitionStep>;
}

/**
 * PostgreSQL: removes the payload rows of `ranges` (sorted, already recorded in
 * purged_payloads in this transaction) month by month. A month with no payload left outside
 * the ranges is TRUNCATEd: no row is visited and the space is returned at once. A month
 * mostly covered is rewritten (its survivors copied aside, the partition truncated, the
 * survivors put back): the cost follows what stays, not what goes. Otherwise the covered rows
 * are DELETEd (each checked by the entry_payloads_purge_only trigger). Every decision reads
 * the seq index only (one probe per range or gap), never the whole month.
 */
export async function removePayloadRanges(
  tx: QueryRunner,
  ranges: readonly SeqRange[],
): Promise<RemovedPayloads> {
  const steps = new Map<string, PartitionStep>();
  if (ranges.length === 0) return { removed: 0, steps };
  const schema = logSchema(tx);
  const first = ranges[0]![0];
  const last = ranges[ranges.length - 1]![1];
  // received_at never decreases along seq: the first and last seq bound the months.
  const ends = await tx.first<Row>(
    raw(
      tx,
      sql`SELECT min(received_at_ms) AS lo, max(received_at_ms) AS hi FROM ${tableIn(schema, 'entry_leaves')} WHERE seq IN (${first}, ${last})`,
    ),
  );
  if (ends?.lo === null || ends?.lo === undefined || ends.hi === null) return { removed: 0, steps };
  const starts = ranges.map((r) => r[0]);
  const lasts = ranges.map((r) => r[1]);
  const gaps = gapsOf(ranges);
  let removed = 0;
  for (const part of partitionsBetween(int(ends.lo), int(ends.hi))) {
    const exists = await tx.first<Row>(
      raw(tx, sql`SELECT to_regclass(${`${schema.quoted}."${part}"`}) IS NOT NULL AS ok`),
    );
    if (!exists?.ok) continue;
    const table = tableIn(schema, part);
    const counted = await tx.first<Row>(
      raw(
        tx,
        sql`SELECT coalesce(sum(c), 0) AS gone,
              (SELECT reltuples FROM pg_class WHERE oid = ${`${schema.quoted}."${part}"`}::regclass) AS estimate,
              EXISTS (SELECT 1 FROM unnest(${gaps.map((g) => g[0])}::bigint[], ${gaps.map((g) => g[1])}::bigint[]) g (a, b)
                      WHERE EXISTS (SELECT 1 FROM ${table} WHERE seq BETWEEN g.a AND g.b)) AS kept
            FROM unnest(${starts}::bigint[], ${lasts}::bigint[]) r (a, b),
              LATERAL (SELECT count(*) AS c FROM ${table} WHERE seq BETWEEN r.a AND r.b) x`,
      ),
    );
    const gone = int(counted?.gone ?? 0);
    if (gone === 0) continue;
    removed += gone;
    const estimate = Number(counted?.estimate ?? 0);
    if (!counted?.kept) {
      await tx.run(raw(tx, sql`TRUNCATE ${table}`));
      steps.set(part, 'truncated');
    } else if (gone * 2 > estimate && estimate > 0) {
      const covered = `{${ranges.map(([a, b]) => `[${a},${b}]`).join(',')}}`;
      await tx.run(
        raw(
          tx,
          sql`CREATE TEMP TABLE evident_kept ON COMMIT DROP AS
              SELECT * FROM ${table} WHERE NOT (seq <@ ${covered}::int8multirange)`,
        ),
      );
      await tx.run(raw(tx, sql`TRUNCATE ${table}`));
      await tx.run(raw(tx, sql`INSERT INTO ${table} SELECT * FROM evident_kept`));
      await tx.run(raw(tx, sql`DROP TABLE evident_kept`));
      steps.set(part, 'rewritten');
    } else {
      await tx.run(
        raw(
          tx,
          sql`DELETE FROM ${table} USING unnest(${starts}::bigint[], ${lasts}::bigint[]) r (a, b)
              WHERE ${table}.seq BETWEEN r.a AND r.b`,
        ),
      );
      steps.set(part, 'deleted');
    }
  }
  return { removed, steps };
}

/** The seqs outside sorted `ranges`, as ranges (from 0 up to the largest bigint). */
function gapsOf(ranges: readonly SeqRange[]): [string, string][] {
  const out: [string, string][] = [];
  let from = 0;
  for (const [a, b] of ranges) {
    if (a > from) out.push([String(from), String(a - 1)]);
    from = b + 1;
  }
  out.push([String(from), '9223372036854775807']);
  return out;
}

/** PostgreSQL: puts a payload back into its month's partition (created if a purge dropped the month). */
export async function insertPayload(
  tx: QueryRunner,
  row: {
    seq: number;
    receivedAtMs: number;
    timeMs: number;
    actorId: string;
    targetId: string | null;
    record: string;
  },
): Promise<void> {
  const schema = logSchema(tx);
  await tx.all(
    raw(
      tx,
      sql`SELECT ${sql.raw(schema.quoted)}.evident_payload_month(${schema.name}, ${row.receivedAtMs})`,
    ),
  );
  await tx.run(
    raw(
      tx,
      sql`INSERT INTO ${tableIn(schema, 'entry_payloads')} (seq, received_at_ms, time_ms, actor_id, target_id, record)
          VALUES (${row.seq}, ${row.receivedAtMs}, ${row.timeMs}, ${row.actorId}, ${row.targetId}, ${row.record})`,
    ),
  );
}
