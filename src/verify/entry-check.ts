import { bytesEqual, toBase64 } from '../core/bytes.js';
import { leafHash } from '../core/merkle.js';
import { canonicalRecord } from '../core/record/canonical.js';
import type { EventRecord } from '../core/record/types.js';
import type { NewEntry } from '../store/store.js';
import { parseRecordTime } from './record-time.js';
import { fail } from './report.js';

/**
 * Recomputes one leaf from its record text and checks the text is the record's canonical
 * form (one leaf definition): a third party that re-canonicalises the record must get the same hash.
 */
export function checkRecordText(seq: number, text: string, expectedLeaf: Uint8Array): EventRecord {
  const leaf = leafHash(text);
  if (!bytesEqual(leaf, expectedLeaf)) {
    fail(
      'leaf_mismatch',
      `entry ${seq}: the record does not hash to its leaf hash (stored ${toBase64(expectedLeaf)}, record gives ${toBase64(leaf)}): the record or its hash was changed`,
      seq,
    );
  }
  let record: EventRecord;
  try {
    record = JSON.parse(text) as EventRecord;
  } catch {
    fail('record_invalid', `entry ${seq}: the stored record is not JSON`, seq);
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalRecord(record);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text)
    fail(
      'record_invalid',
      `entry ${seq}: the stored record is not in canonical (RFC 8785) form`,
      seq,
    );
  return record;
}

/** The record fields the indexed columns are derived from. */
interface ColumnFields {
  id: string;
  source: string;
  actor: { id: string };
  action: string;
  outcome: string;
  time: string;
  received_at: string;
  target?: { type?: string; id: string };
}

/**
 * Indexed columns drive search: a changed column would hide an entry from its own filter.
 * Every value is read from the record before any is compared, and columns are compared in a
 * fixed order, so the first difference named is always the same one.
 */
export function checkColumns(entry: NewEntry, record: ColumnFields): void {
  const id = record.id;
  const source = record.source;
  const actorId = record.actor.id;
  const action = record.action;
  const outcome = record.outcome;
  const targetType = record.target?.type ?? null;
  const targetId = record.target?.id ?? null;
  const timeMs = parseRecordTime(record.time);
  const receivedAtMs = parseRecordTime(record.received_at);
  column(entry, 'id', entry.id, id);
  column(entry, 'source', entry.source, source);
  column(entry, 'actor_id', entry.actorId, actorId);
  column(entry, 'action', entry.action, action);
  column(entry, 'outcome', entry.outcome, outcome);
  column(entry, 'target_type', entry.targetType, targetType);
  column(entry, 'target_id', entry.targetId, targetId);
  column(entry, 'time', entry.timeMs, timeMs);
  column(entry, 'received_at', entry.receivedAtMs, receivedAtMs);
}

function column(entry: NewEntry, name: string, stored: unknown, fromRecord: unknown): void {
  if (stored === fromRecord) return;
  fail(
    'record_invalid',
    `entry ${entry.seq}: column ${name} is ${JSON.stringify(stored)} but the record says ${JSON.stringify(fromRecord)}`,
    entry.seq,
  );
}
