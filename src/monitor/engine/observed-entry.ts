import type { StoredEntry } from '../../store/store.js';
import type { ObservedEntry } from '../types.js';

/** Parses a committed entry once for every rule and observer (ObservedEntry in types.ts). */
export function observe(entry: StoredEntry): ObservedEntry {
  return observeRecord(entry.seq, entry.source, JSON.parse(entry.record));
}

/** The same, for a record already parsed (a page parsed as one array). */
export function observeRecord(
  seq: number,
  source: string,
  record: Record<string, unknown>,
): ObservedEntry {
  return {
    seq,
    source,
    record,
    timeMs: Date.parse(record.time as string),
    receivedAtMs: Date.parse(record.received_at as string),
    historical: record.historical === true,
  };
}
