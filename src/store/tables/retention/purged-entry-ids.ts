import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import { PURGED_RECORD } from './purged-payloads-table.js';
import type { RetentionTables } from './retention-tables.js';

/** What a purge left of an entry's actor and target ids: `sha256:` digests (purgedIdDigest). */
export interface PurgedEntryIds {
  actorId: string;
  targetId: string | null;
}

/**
 * The actor_id and target_id columns of those of `seqs` whose payload is purged, by seq: what
 * a verifier over the API needs to replay a legal hold naming an actor or a target. After a
 * purge these are digests, never ids in clear (an entry whose payload is back is left out).
 */
export async function purgedEntryIds(
  q: QueryRunner,
  seqs: readonly number[],
): Promise<Map<number, PurgedEntryIds>> {
  const out = new Map<number, PurgedEntryIds>();
  if (seqs.length === 0) return out;
  const db = tables<RetentionTables>(q);
  const rows = await q.all<Row>(
    db
      .selectFrom('entries')
      .select(['seq', 'actor_id', 'target_id'])
      .where('seq', 'in', [...seqs])
      .where('record', '=', PURGED_RECORD),
  );
  for (const row of rows) {
    out.set(int(row.seq), {
      actorId: String(row.actor_id),
      targetId: row.target_id === null ? null : String(row.target_id),
    });
  }
  return out;
}
