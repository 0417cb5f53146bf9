import type { StoredEntry } from '../../store/store.js';
import type { ObservedEntry } from '../types.js';

/** Parses a committed entry once for every rule and observer (ObservedEntry in types.ts). */
export function observe(entry: StoredEntry): ObservedEntry {
  const record = JSON.parse(entry.record) as Record<string, unknown>;
  return {
    seq: entry.seq,
    source: entry.source,
    record,
    timeMs: Date.parse(record.time as string),
    receivedAtMs: Date.parse(record.received_at as string),
    historical: record.historical === true,
  };
}
