import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { RetentionTables } from './retention-tables.js';

/** An entry a purge may remove: what the archive needs and what a hold is matched on. */
export interface PurgeCandidate {
  seq: number;
  source: string;
  receivedAtMs: number;
  actorId: string;
  targetId: string | null;
  leafHash: Uint8Array;
  record: string;
}

/** Which sources a policy governs: one by name, or every source but some (the default). */
export type SourceSelector = { source: string } | { except: readonly string[] };

/**
 * Entries with seq ≥ fromSeq, received before `cutoffMs`, of the selected sources, whose
 * payload is still there and no purge has marked, in seq order, at most `limit`.
 */
export async function purgeCandidates(
  q: QueryRunner,
  select: { sources: SourceSelector; cutoffMs: number; fromSeq: number; limit: number },
): Promise<PurgeCandidate[]> {
  const db = tables<RetentionTables>(q);
  let query = db
    .selectFrom('entries')
    .leftJoin('purged_payloads', 'purged_payloads.seq', 'entries.seq')
    .select([
      'entries.seq',
      'entries.source',
      'entries.received_at_ms',
      'entries.actor_id',
      'entries.target_id',
      'entries.leaf_hash',
      'entries.record',
    ])
    .where('entries.received_at_ms', '<', select.cutoffMs)
    .where('entries.seq', '>=', select.fromSeq)
    .where('purged_payloads.seq', 'is', null)
    .where('entries.record', '!=', '');
  query =
    'source' in select.sources
      ? query.where('entries.source', '=', select.sources.source)
      : select.sources.except.length === 0
        ? query
        : query.where('entries.source', 'not in', [...select.sources.except]);
  const rows = await q.all<Row>(query.orderBy('entries.seq').limit(select.limit));
  return rows.map((row) => ({
    seq: int(row.seq),
    source: String(row.source),
    receivedAtMs: int(row.received_at_ms),
    actorId: String(row.actor_id),
    targetId: row.target_id === null ? null : String(row.target_id),
    leafHash: row.leaf_hash as Uint8Array,
    record: String(row.record),
  }));
}
