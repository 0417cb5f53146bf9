import { toBase64 } from '../core/bytes.js';
import { canonicalRecord } from '../core/record/canonical.js';
import type { EventRecord } from '../core/record/types.js';
import { isPlainObject } from '../core/record/validate.js';
import type { NewEntry } from '../store/store.js';
import { type ColumnFields, scanCanonicalRecord } from './canonical-scan.js';
import { digestBytes, digestEquals, leafDigest } from './page-hash.js';
import { parseRecordTime } from './record-time.js';
import { fail } from './report.js';

/**
 * Checks one stored entry on its own: its leaf hash recomputed from the stored text, the text
 * the canonical (RFC 8785) form of the record (one leaf definition: a third party that
 * re-canonicalises the record must get the same hash), and every indexed column equal to
 * what the record says.
 *
 * The hash is taken over the stored text itself. Canonical form is then established by one
 * pass over that text (canonical-scan.ts), which also reads the column fields; only a text
 * that pass is not certain about is parsed and re-canonicalised. Both ways accept exactly
 * the texts equal to canonicalize(JSON.parse(text)), so the shortcut weakens nothing.
 */
export function checkEntry(entry: NewEntry): void {
  checkLeaf(entry.seq, entry.record, entry.leafHash);
  checkColumns(entry, scanCanonicalRecord(entry.record) ?? parsedColumns(entry.seq, entry.record));
}

function checkLeaf(seq: number, text: string, expectedLeaf: Uint8Array): void {
  const leaf = leafDigest(text);
  if (digestEquals(leaf, expectedLeaf)) return;
  fail(
    'leaf_mismatch',
    `entry ${seq}: the record does not hash to its leaf hash (stored ${toBase64(expectedLeaf)}, record gives ${toBase64(digestBytes(leaf))}): the record or its hash was changed`,
    seq,
  );
}

/** What the column checks compare with: the record's own values, whatever their type. */
type RecordColumns = { [K in keyof ColumnFields]: unknown };

/** The slow way: parse, re-canonicalise, compare texts; then read the fields off the object. */
function parsedColumns(seq: number, text: string): RecordColumns {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    fail('record_invalid', `entry ${seq}: the stored record is not JSON`, seq);
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalRecord(record as EventRecord);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text || !isPlainObject(record)) {
    fail(
      'record_invalid',
      `entry ${seq}: the stored record is not in canonical (RFC 8785) form`,
      seq,
    );
  }
  // Read defensively: a record of the wrong shape must be named by its column, not crash.
  const actor = isPlainObject(record.actor) ? record.actor : {};
  const target = isPlainObject(record.target) ? record.target : undefined;
  return {
    id: record.id,
    source: record.source,
    actorId: actor.id,
    action: record.action,
    outcome: record.outcome,
    time: record.time,
    receivedAt: record.received_at,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
  };
}

/**
 * Indexed columns drive search: a changed column would hide an entry from its own filter.
 * Every value is read from the record before any is compared, and columns are compared in a
 * fixed order, so the first difference named is always the same one.
 */
function checkColumns(entry: NewEntry, record: RecordColumns): void {
  const timeMs = parseRecordTime(record.time);
  const receivedAtMs = parseRecordTime(record.receivedAt);
  column(entry, 'id', entry.id, record.id);
  column(entry, 'source', entry.source, record.source);
  column(entry, 'actor_id', entry.actorId, record.actorId);
  column(entry, 'action', entry.action, record.action);
  column(entry, 'outcome', entry.outcome, record.outcome);
  column(entry, 'target_type', entry.targetType, record.targetType);
  column(entry, 'target_id', entry.targetId, record.targetId);
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
