import type { NewEntry, StoredNode } from '../store.js';
import { PURGED_RECORD, purgedIdDigest } from '../tables/retention/purged-payloads-table.js';
import { COPY_NULL, copyBytea, copyInteger, copyString } from './copy-rows.js';

/*
 * One append group as the COPY text of each table it writes (the text format of
 * copy-rows.ts), built straight from the entries: no row arrays in between, and each
 * column encoded by its known type. This runs inside the append lock, once per event.
 */

/** entry_leaves: what stays of an entry for ever; the ids only as digests (migration 13). */
export const LEAF_COPY_COLUMNS = [
  'seq',
  'id',
  'source',
  'action',
  'target_type',
  'outcome',
  'time_ms',
  'received_at_ms',
  'leaf_hash',
  'actor_digest',
  'target_digest',
] as const;

/** entry_payloads (partitioned by received_at month): what a purge removes. */
export const PAYLOAD_COPY_COLUMNS = [
  'seq',
  'received_at_ms',
  'time_ms',
  'actor_id',
  'target_id',
  'record',
] as const;

export const NODE_COPY_COLUMNS = ['level', 'idx', 'hash'] as const;

/**
 * Each entry's leaf row. An entry that arrives already purged (a copied log) has digests
 * for ids already; any other gets them here.
 */
export function leafCopyText(entries: readonly NewEntry[]): string {
  let text = '';
  for (const e of entries) {
    const purged = e.record === PURGED_RECORD;
    const actorDigest = purged ? e.actorId : purgedIdDigest(e.actorId);
    const targetDigest = e.targetId === null || purged ? e.targetId : purgedIdDigest(e.targetId);
    text += `${copyInteger(e.seq)}\t${copyString(e.id)}\t${copyString(e.source)}\t${copyString(e.action)}\t${
      e.targetType === null ? COPY_NULL : copyString(e.targetType)
    }\t${copyString(e.outcome)}\t${copyInteger(e.timeMs)}\t${copyInteger(e.receivedAtMs)}\t${copyBytea(
      e.leafHash,
    )}\t${copyString(actorDigest)}\t${targetDigest === null ? COPY_NULL : copyString(targetDigest)}\n`;
  }
  return text;
}

/** The payload row of each entry that has one (an already purged entry has none). */
export function payloadCopyText(entries: readonly NewEntry[]): string {
  let text = '';
  for (const e of entries) {
    if (e.record === PURGED_RECORD) continue;
    text += `${copyInteger(e.seq)}\t${copyInteger(e.receivedAtMs)}\t${copyInteger(e.timeMs)}\t${copyString(
      e.actorId,
    )}\t${e.targetId === null ? COPY_NULL : copyString(e.targetId)}\t${copyString(e.record)}\n`;
  }
  return text;
}

export function nodeCopyText(nodes: readonly StoredNode[]): string {
  let text = '';
  for (const n of nodes) {
    text += `${copyInteger(n.level)}\t${copyInteger(n.index)}\t${copyBytea(n.hash)}\n`;
  }
  return text;
}
