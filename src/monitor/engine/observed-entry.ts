import type { ObservedEntry } from '../types.js';

/**
 * A committed entry as the rules see it (ObservedEntry in types.ts), from its record parsed
 * once: the evaluator thread parses each record of a page as it evaluates it.
 */
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
