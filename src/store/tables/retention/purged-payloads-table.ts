import { sql } from 'kysely';
import { bytesEqual, toHex } from '../../../core/bytes.js';
import { sha256 } from '../../../core/hash.js';
import { leafHash } from '../../../core/merkle.js';
import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import { insertPayload, removePayloadRanges, type SeqRange } from './payload-partitions.js';
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

/**
 * Removes the payloads of `seqs` (or of `ranges`, inclusive) under the retention.purge event
 * at `purgeSeq` (already committed: the triggers refuse a purge naming no such event). Run
 * inside `store.transaction`. Seqs already purged (or purged and restored) are left alone, so
 * a purge can be re-applied. The purge is recorded as ranges, one row each, and removed with
 * set-based statements: on PostgreSQL whole months at a time where it can
 * (payload-partitions.ts). Resolves with the number of payloads removed.
 */
export async function purgePayloads(
  tx: QueryRunner,
  purge: {
    purgeSeq: number;
    seqs?: readonly number[];
    ranges?: readonly SeqRange[];
    atMs: number;
  },
): Promise<number> {
  const asked = normaliseRanges([
    ...(purge.ranges ?? []),
    ...seqRanges([...(purge.seqs ?? [])].sort((a, b) => a - b)),
  ]);
  if (asked.length === 0) return 0;
  const fresh = subtractRanges(asked, await marksOverlapping(tx, asked));
  if (fresh.length === 0) return 0;
  const db = tables<RetentionTables>(tx);
  for (let i = 0; i < fresh.length; i += RANGES_PER_INSERT) {
    await tx.run(
      db.insertInto('purged_payloads').values(
        fresh.slice(i, i + RANGES_PER_INSERT).map(([first, last]) => ({
          seq: first,
          last_seq: last,
          purge_seq: purge.purgeSeq,
          purged_at_ms: purge.atMs,
          restored_at_ms: null,
        })),
      ),
    );
  }
  return tx.dialect === 'postgres' ? removeOnPostgres(tx, fresh) : removeOnSqlite(tx, fresh);
}

/** Sorted seqs as inclusive ranges. */
function seqRanges(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const seq of seqs) {
    const last = out[out.length - 1];
    if (last && seq <= last[1] + 1) last[1] = Math.max(last[1], seq);
    else out.push([seq, seq]);
  }
  return out;
}

/** Ranges per INSERT of marks (and per UPDATE on SQLite): bounded statement size. */
const RANGES_PER_INSERT = 500;

/** PostgreSQL: the ids' digests are already in entry_leaves; the payload rows go (by month). */
async function removeOnPostgres(tx: QueryRunner, ranges: readonly SeqRange[]): Promise<number> {
  return (await removePayloadRanges(tx, ranges)).removed;
}

/**
 * SQLite: the record becomes the empty text and the ids their digests, in one UPDATE per
 * bounded set of ranges (the digests are computed here: SQLite has no SHA-256).
 */
async function removeOnSqlite(tx: QueryRunner, ranges: readonly SeqRange[]): Promise<number> {
  const db = tables<RetentionTables>(tx);
  let removed = 0;
  for (let i = 0; i < ranges.length; i += RANGES_PER_INSERT) {
    const chunk = ranges.slice(i, i + RANGES_PER_INSERT);
    const rows = await tx.all<Row>(
      db
        .selectFrom('entries')
        .select(['seq', 'actor_id', 'target_id'])
        .where((eb) => eb.or(chunk.map(([a, b]) => eb.between('seq', a, b))))
        .where('record', '!=', PURGED_RECORD),
    );
    if (rows.length === 0) continue;
    const digests = JSON.stringify(
      rows.map((r) => [
        int(r.seq),
        purgedIdDigest(String(r.actor_id)),
        r.target_id === null ? null : purgedIdDigest(String(r.target_id)),
      ]),
    );
    removed += await tx.run(
      rawQuery(
        tx,
        sql`UPDATE entries SET record = ${PURGED_RECORD}, actor_id = d.actor, target_id = d.target
            FROM (SELECT value ->> 0 AS seq, value ->> 1 AS actor, value ->> 2 AS target
                  FROM json_each(${digests})) AS d
            WHERE entries.seq = d.seq`,
      ),
    );
  }
  return removed;
}

// biome-ignore lint/suspicious/noExplicitAny: a raw statement compiled by the runner's builder
function rawQuery(q: QueryRunner, text: ReturnType<typeof sql<any>>) {
  return { compile: () => text.compile(q.db) };
}

/** The marks whose range meets one of `ranges` (the one starting before the first included). */
async function marksOverlapping(q: QueryRunner, ranges: readonly SeqRange[]): Promise<Row[]> {
  const db = tables<RetentionTables>(q);
  const first = ranges[0]![0];
  const last = ranges[ranges.length - 1]![1];
  const before = await q.first<Row>(
    db
      .selectFrom('purged_payloads')
      .selectAll()
      .where('seq', '<', first)
      .orderBy('seq', 'desc')
      .limit(1),
  );
  const inside = await q.all<Row>(
    db
      .selectFrom('purged_payloads')
      .selectAll()
      .where('seq', '>=', first)
      .where('seq', '<=', last)
      .orderBy('seq'),
  );
  return before && int(before.last_seq) >= first ? [before, ...inside] : inside;
}

/** Sorted, merged, inclusive ranges. */
function normaliseRanges(ranges: readonly SeqRange[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `ranges` minus the seqs the marks cover (marks sorted by seq, not overlapping). */
function subtractRanges(ranges: readonly SeqRange[], marks: readonly Row[]): [number, number][] {
  const out: [number, number][] = [];
  let m = 0;
  for (const [a, b] of ranges) {
    let from = a;
    while (m < marks.length && int(marks[m]!.last_seq) < from) m++;
    let k = m;
    while (from <= b) {
      const mark = marks[k];
      if (!mark || int(mark.seq) > b) {
        out.push([from, b]);
        break;
      }
      const ms = int(mark.seq);
      const ml = int(mark.last_seq);
      if (ms > from) out.push([from, ms - 1]);
      from = Math.max(from, ml + 1);
      k++;
    }
  }
  return out;
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
    db
      .selectFrom('entries')
      .select(['leaf_hash', 'received_at_ms', 'time_ms'])
      .where('seq', '=', restore.seq),
  );
  if (!entry || !bytesEqual(entry.leaf_hash as Uint8Array, leafHash(restore.record)))
    return 'leaf_hash_mismatch';
  const parsed = JSON.parse(restore.record) as { actor: { id: string }; target?: { id?: string } };
  const actorId = String(parsed.actor.id);
  const targetId = parsed.target?.id === undefined ? null : String(parsed.target.id);
  if (tx.dialect === 'postgres') {
    await insertPayload(tx, {
      seq: restore.seq,
      receivedAtMs: int(entry.received_at_ms),
      timeMs: int(entry.time_ms),
      actorId,
      targetId,
      record: restore.record,
    });
  } else {
    await tx.run(
      db
        .updateTable('entries')
        .set({ record: restore.record, actor_id: actorId, target_id: targetId })
        .where('seq', '=', restore.seq),
    );
  }
  await tx.run(
    db.insertInto('restored_payloads').values({ seq: restore.seq, restored_at_ms: restore.atMs }),
  );
  return 'restored';
}

/** Whether `seq` was purged (and by which event), or undefined. */
export async function purgeMark(q: QueryRunner, seq: number): Promise<PurgeMark | undefined> {
  const db = tables<RetentionTables>(q);
  const row = await q.first<Row>(
    db
      .selectFrom('purged_payloads')
      .selectAll()
      .where('seq', '<=', seq)
      .orderBy('seq', 'desc')
      .limit(1),
  );
  if (!row || int(row.last_seq) < seq) return undefined;
  const restored = await q.first<Row>(
    db.selectFrom('restored_payloads').select('restored_at_ms').where('seq', '=', seq),
  );
  return toMark(seq, row, restored);
}

/** The marks of seqs in [fromSeq, toSeq), in seq order, at most `limit` (one per seq). */
export async function purgeMarks(
  q: QueryRunner,
  fromSeq: number,
  toSeq: number,
  limit: number,
): Promise<PurgeMark[]> {
  if (toSeq <= fromSeq) return [];
  const db = tables<RetentionTables>(q);
  const rows = await marksOverlapping(q, [[fromSeq, toSeq - 1]]);
  const restored = await q.all<Row>(
    db
      .selectFrom('restored_payloads')
      .selectAll()
      .where('seq', '>=', fromSeq)
      .where('seq', '<', toSeq),
  );
  const restoredAt = new Map(restored.map((r) => [int(r.seq), r]));
  const out: PurgeMark[] = [];
  for (const row of rows) {
    for (
      let s = Math.max(int(row.seq), fromSeq);
      s <= Math.min(int(row.last_seq), toSeq - 1);
      s++
    ) {
      if (out.length >= limit) return out;
      out.push(toMark(s, row, restoredAt.get(s)));
    }
  }
  return out;
}

/** A range row read for one of its seqs; restored_at_ms on the row is a restore made before ranges. */
function toMark(seq: number, row: Row, restored: Row | undefined): PurgeMark {
  const at = restored?.restored_at_ms ?? row.restored_at_ms;
  return {
    seq,
    purgeSeq: int(row.purge_seq),
    purgedAtMs: int(row.purged_at_ms),
    restoredAtMs: at === null || at === undefined ? null : int(at),
  };
}
