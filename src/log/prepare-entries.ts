import { leafHash } from '../core/merkle.js';
import { buildRecord, canonicalRecord } from '../core/record/canonical.js';
import type { EventRecord, SubmittedRecord } from '../core/record/types.js';
import type { IdGenerator } from '../util/ids.js';

/** An event made ready for the log: its record, canonical text and leaf hash. */
export interface PreparedEntry {
  record: EventRecord;
  text: string;
  leafHash: Uint8Array;
  receivedAtMs: number;
  /** The source chose the id, so it may be a retry: the sequencer checks it against the store. */
  clientId: boolean;
}

/**
 * Attaches the server fields and canonicalises + hashes each record. This is the CPU-heavy
 * part of an append, and it runs in the request, before the sequencer's critical section, so
 * it overlaps with the previous batch's commit. The sequencer re-does it only for the rare
 * record whose received_at must be raised to keep time monotonic along the log.
 */
export function prepareEntries(
  submitted: readonly SubmittedRecord[],
  source: string,
  receivedAtMs: number,
  newId: IdGenerator,
  historical = false,
): PreparedEntry[] {
  const receivedAt = new Date(receivedAtMs).toISOString();
  return submitted.map((s, i) => {
    const record = buildRecord(s, {
      id: s.id ?? newId(receivedAtMs),
      received_at: receivedAt,
      source,
      historical,
    });
    const text = canonicalRecord(record, submitted.length === 1 ? '$' : `$[${i}]`);
    return { record, text, leafHash: leafHash(text), receivedAtMs, clientId: s.id !== undefined };
  });
}

/** The same entry with a later received_at (server time never runs backwards). */
export function withReceivedAt(entry: PreparedEntry, receivedAtMs: number): PreparedEntry {
  const record = { ...entry.record, received_at: new Date(receivedAtMs).toISOString() };
  const text = canonicalRecord(record);
  return { ...entry, record, text, leafHash: leafHash(text), receivedAtMs };
}
