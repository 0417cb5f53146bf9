/** One line of the event stream in the format the consumer asked for. */

import { toBase64 } from '../../core/bytes.js';
import type { EventRecord } from '../../core/record/types.js';
import type { StoredEntry } from '../../store/store.js';
import { toEcs } from './ecs.js';
import { toOcsf } from './ocsf.js';

export const STREAM_FORMATS = ['ndjson', 'ocsf', 'ecs'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

/** JSON text (no newline) of one entry: ndjson is the entry as the search API returns it. */
export function formatEntry(entry: StoredEntry, format: StreamFormat): string {
  const leafHash = toBase64(entry.leafHash);
  if (format === 'ndjson') {
    // The stored canonical text is spliced in unchanged: it is exactly what was hashed.
    return `{"seq":${entry.seq},"leaf_hash":${JSON.stringify(leafHash)},"record":${entry.record}}`;
  }
  const exported = {
    seq: entry.seq,
    leafHash,
    record: JSON.parse(entry.record) as EventRecord,
    canonical: entry.record,
  };
  return JSON.stringify(format === 'ocsf' ? toOcsf(exported) : toEcs(exported));
}
