import type { Selectable } from 'kysely';
import type { Buckets } from '../../../monitor/sources/rate-buckets.js';
import type { SkewHistogram } from '../../../monitor/sources/skew-histogram.js';
import type { SourceStats } from '../../../monitor/sources/source-stats.js';
import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import { isIntArray, isObject, storedJson } from '../stored-json.js';
import type { SourceStatsTable, SourceTables } from './sources-tables.js';

export interface StoredStats {
  stats: SourceStats;
  version: number;
}

const db = (q: QueryRunner) => tables<SourceTables>(q);

export async function statsOf(q: QueryRunner, source: string): Promise<StoredStats | undefined> {
  const row = await q.first(
    db(q).selectFrom('source_stats').selectAll().where('source', '=', source),
  );
  return row && toStoredStats(row);
}

export async function allStats(q: QueryRunner): Promise<Map<string, SourceStats>> {
  const rows = await q.all(db(q).selectFrom('source_stats').selectAll().orderBy('source'));
  return new Map(rows.map((row) => [row.source, toStoredStats(row).stats]));
}

/** The first statistics of a source; false when another writer made them first. */
export async function insertStatsIfAbsent(
  q: QueryRunner,
  stats: SourceStats,
  atMs: number,
): Promise<boolean> {
  const changed = await q.run(
    db(q)
      .insertInto('source_stats')
      .values(statsColumns(stats, 1, atMs))
      .onConflict((c) => c.column('source').doNothing()),
  );
  return changed === 1;
}

/** Compare-and-set on the version; false when someone else wrote first. */
export async function replaceStats(
  q: QueryRunner,
  stats: SourceStats,
  version: number,
  atMs: number,
): Promise<boolean> {
  const { source: _s, ...columns } = statsColumns(stats, version + 1, atMs);
  const changed = await q.run(
    db(q)
      .updateTable('source_stats')
      .set(columns)
      .where('source', '=', stats.source)
      .where('version', '=', version),
  );
  return changed === 1;
}

export function statsColumns(s: SourceStats, version: number, atMs: number): SourceStatsTable {
  return {
    source: s.source,
    first_seq: s.firstSeq,
    last_seq: s.lastSeq,
    last_received_at_ms: s.lastReceivedAtMs,
    last_time_ms: s.lastTimeMs,
    total: s.total,
    minutes: JSON.stringify(s.minutes),
    hours: JSON.stringify(s.hours),
    skew: JSON.stringify(s.skew),
    skew_alert_hour: s.skewAlertHour,
    silence_since_ms: s.silence?.sinceMs ?? null,
    silence_last_seq: s.silence?.lastSeq ?? null,
    silence_detected_at_ms: s.silence?.detectedAtMs ?? null,
    silence_alert_id: s.silence?.alertId ?? null,
    version,
    updated_at_ms: atMs,
  };
}

export function toStoredStats(row: Selectable<SourceStatsTable>): StoredStats {
  const num = (v: number | null) => (v === null ? null : int(v));
  const what = (column: string) => `${column} of source ${row.source}`;
  const sinceMs = num(row.silence_since_ms);
  const detectedAtMs = num(row.silence_detected_at_ms);
  return {
    stats: {
      source: row.source,
      firstSeq: num(row.first_seq),
      lastSeq: num(row.last_seq),
      lastReceivedAtMs: num(row.last_received_at_ms),
      lastTimeMs: num(row.last_time_ms),
      total: int(row.total),
      minutes: storedJson(row.minutes, isBuckets, what('minute counts')),
      hours: storedJson(row.hours, isBuckets, what('hour counts')),
      skew: storedJson(row.skew, isSkewHistogram, what('skew histogram')),
      skewAlertHour: num(row.skew_alert_hour),
      silence:
        sinceMs === null || detectedAtMs === null
          ? null
          : {
              sinceMs,
              lastSeq: num(row.silence_last_seq),
              detectedAtMs,
              alertId: row.silence_alert_id,
            },
    },
    version: int(row.version),
  };
}

export function isBuckets(value: unknown): value is Buckets {
  return Array.isArray(value) && value.every((b) => isIntArray(b) && b.length === 2);
}

export function isSkewHistogram(value: unknown): value is SkewHistogram {
  const extreme = (v: unknown) => v === null || Number.isSafeInteger(v);
  return (
    isObject(value) &&
    isIntArray(value.behind) &&
    isIntArray(value.ahead) &&
    Number.isSafeInteger(value.count) &&
    Number.isSafeInteger(value.beyond) &&
    extreme(value.minMs) &&
    extreme(value.maxMs)
  );
}
