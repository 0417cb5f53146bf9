import { bytesEqual, toBase64 } from '../core/bytes.js';
import { leafHash } from '../core/merkle.js';
import { canonicalRecord } from '../core/record/canonical.js';
import type { EventRecord } from '../core/record/types.js';
import { fail } from './report.js';

/**
 * Recomputes one leaf from its record text and checks the text is the record's canonical
 * form (invariant 3): a third party that re-canonicalises the record must get the same hash.
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
