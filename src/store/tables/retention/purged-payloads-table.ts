import { bytesEqual, toHex } from '../../../core/bytes.js';
import { sha256 } from '../../../core/hash.js';
import { leafHash } from '../../../core/merkle.js';
import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { RetentionTables } from './retention-tables.js';

/** What a purge left of an entry: the purge event that covers it, and a restore if one happened. */
export interface PurgeMark {
  seq: number;
  purgeSeq: number;
  purgedAtMs: number;
  restoredAtMs: number | null;
}

/** The payload of a purged entry: the empty text (the leaf hash stays in its column). */
export const PURGED_RECORD = '';

/**
 * actor_id and target_id are personal data, so a purge replaces them with a digest: entries
 * of one person stay findable by a hold or a verifier that knows the id, without the id being
 * stored in the clear. (A digest of a guessable id is pseudonymous, not anonymous: this is
 * where crypto-shredding would go.)
 */
export function purgedIdDigest(id: string): string {
  return `sha256:${toHex(sha256(id))}`;
}

function toMark(row: Row): PurgeMark {
  return {
    seq: int(row.seq),
    purgeSeq: int(row.purge_seq),
    purgedAtMs: int(row.purged_at_ms),
    restoredAtMs: row.restored_at_ms === null ? null : int(row.restored_at_ms),
  };
}

/**
 * Removes the payloads of `seqs` under the retention.purge event at `purgeSeq` (already
 * committed: the triggers refuse a purge naming no such event). Run inside
 * `store.transaction`. Seqs already purged (or purged and restored) are left alone, so a purge
 * can be re-applied. Resolves with the number of payloads removed.
 */
export async function purgePayloads(
  tx: QueryRunner,
  purge: { purgeSeq: number; seqs: readonly number[]; atMs: number },
): Promise<number> {
  if (purge.seqs.length === 0) return 0;
  const db = tables<RetentionTables>(tx);
  const rows = await tx.all<Row>(
    db
      .selectFrom('entries')
      .select(['entries.seq', 'entries.actor_id', 'entries.target_id'])
      .leftJoin('purged_payloads', 'purged_payloads.seq', 'entries.seq')
      .where('entries.seq', 'in', [...purge.seqs])
      .where('purged_payloads.seq', 'is', null)
      .orderBy('entries.seq'),
  );
  for (const row of rows) {
    const seq = int(row.seq);
    await tx.run(
      db.insertInto('purged_payloads').values({
        seq,
        purge_seq: purge.purgeSeq,
        purged_at_ms: purge.atMs,
        restored_at_ms: null,
      }),
    );
    await tx.run(
      db
        .updateTable('entries')
        .set({
          record: PURGED_RECORD,
          actor_id: purgedIdDigest(String(row.actor_id)),
          target_id: row.target_id === null ? null : purgedIdDigest(String(row.target_id)),
        })
        .where('seq', '=', seq),
    );
  }
  return rows.length;
}

export type RestoreOutcome = 'restored' | 'not_purged' | 'already_restored' | 'leaf_hash_mismatch';

/**
 * Puts back the payload of a purged entry: `record` must be the canonical text whose leaf
 * hash is the stored one, so nothing but the original can come back. Run inside
 * `store.transaction`. The mark stays (with restored_at_ms), so re-applying recorded purges
 * at start does not remove it again.
 */
export async function restorePayload(
  tx: QueryRunner,
  restore: { seq: number; record: string; atMs: number },
): Promise<RestoreOutcome> {
  const db = tables<RetentionTables>(tx);
  const mark = await purgeMark(tx, restore.seq);
  if (!mark) return 'not_purged';
  if (mark.restoredAtMs !== null) return 'already_restored';
  const entry = await tx.first<Row>(
    db.selectFrom('entries').select(['leaf_hash']).where('seq', '=', restore.seq),
  );
  if (!entry || !bytesEqual(entry.leaf_hash as Uint8Array, leafHash(restore.record)))
    return 'leaf_hash_mismatch';
  const parsed = JSON.parse(restore.record) as { actor: { id: string }; target?: { id?: string } };
  await tx.run(
    db
      .updateTable('entries')
      .set({
        record: restore.record,
        actor_id: String(parsed.actor.id),
        target_id: parsed.target?.id === undefined ? null : String(parsed.target.id),
      })
      .where('seq', '=', restore.seq),
  );
  await tx.run(
    db
      .updateTable('purged_payloads')
      .set({ restored_at_ms: restore.atMs })
      .where('seq', '=', restore.seq),
  );
  return 'restored';
}

/** Whether `seq` was purged (and by which event), or undefined. */
export async function purgeMark(q: QueryRunner, seq: number): Promise<PurgeMark | undefined> {
  const db = tables<RetentionTables>(q);
  const row = await q.first<Row>(
    db.selectFrom('purged_payloads').selectAll().where('seq', '=', seq),
  );
  return row ? toMark(row) : undefined;
}

/** The marks of seqs in [fromSeq, toSeq), in seq order, at most `limit`. */
export async function purgeMarks(
  q: QueryRunner,
  fromSeq: number,
  toSeq: number,
  limit: number,
): Promise<PurgeMark[]> {
  const db = tables<RetentionTables>(q);
  const rows = await q.all<Row>(
    db
      .selectFrom('purged_payloads')
      .selectAll()
      .where('seq', '>=', fromSeq)
      .where('seq', '<', toSeq)
      .orderBy('seq')
      .limit(limit),
  );
  return rows.map(toMark);
}
