import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { SourceSelector } from './purge-candidates.js';
import type { RetentionTables } from './retention-tables.js';

/**
 * The first seq ≥ fromSeq of the selected sources received at or after `cutoffMs`: every
 * entry of those sources between fromSeq and it was past the cutoff, so a purge scan that
 * reached it decided each (purged or held). A purge run's bookmark never passes it, even if
 * received_at steps back along the log.
 */
export async function firstSeqNotPast(
  q: QueryRunner,
  select: { sources: SourceSelector; cutoffMs: number; fromSeq: number },
): Promise<number | undefined> {
  const db = tables<RetentionTables>(q);
  let query = db
    .selectFrom('entries')
    .select('entries.seq')
    .where('entries.seq', '>=', select.fromSeq)
    .where('entries.received_at_ms', '>=', select.cutoffMs);
  query =
    'source' in select.sources
      ? query.where('entries.source', '=', select.sources.source)
      : select.sources.except.length === 0
        ? query
        : query.where('entries.source', 'not in', [...select.sources.except]);
  const row = await q.first<Row>(query.orderBy('entries.seq').limit(1));
  return row ? int(row.seq) : undefined;
}
