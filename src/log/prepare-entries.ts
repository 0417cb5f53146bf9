import { HASH_SIZE, leafHash, leafHashInto } from '../core/merkle.js';
import { buildRecord, canonicalRecord, recordFromCanonical } from '../core/record/canonical.js';
import type { EventRecord, SubmittedRecord } from '../core/record/types.js';
import type { NewEntry } from '../store/store.js';
import type { IdGenerator } from '../util/ids.js';

/**
 * An event made ready for the log: its row (canonical text, leaf hash, search columns).
 * The record object it was made from is not kept: an event waits here for its batch's
 * commit (hundreds of ms under load) and then in the monitor's hand-off, and its record is a
 * dozen objects and strings that would all be promoted to the old generation on the way;
 * the canonical text holds the same record in one string, parsed again where it is needed.
 */
export interface PreparedEntry {
  /** The row to insert; its seq is set once the batch's order is fixed. */
  entry: NewEntry;
  /** The record's received_at as its text spells it (one string shared by the request). */
  receivedAt: string;
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
  // The leaf hashes in one array, each entry's a view of it: one backing store per request,
  // not one per event (the answer's base64 and the writer's batch read them from there).
  const hashes = new Uint8Array(submitted.length * HASH_SIZE);
  return submitted.map((s, i) => {
    const record = buildRecord(s, {
      id: s.id ?? newId(receivedAtMs),
      received_at: receivedAt,
      source,
      historical,
    });
    const text = canonicalRecord(record, submitted.length === 1 ? '$' : `$[${i}]`);
    const at = i * HASH_SIZE;
    leafHashInto(text, hashes, at);
    return {
      entry: columnsOf(record, text, hashes.subarray(at, at + HASH_SIZE)),
      receivedAt,
      clientId: s.id !== undefined,
    };
  });
}

/**
 * The same entry with a later received_at (server time never runs backwards along the log).
 * Not rare: a batch that commits ahead of the queue (a read's self-audit event, an alert
 * raised with its rows) is stamped after the events queued behind it, and every one of those
 * is stamped again, thousands at a time under load. Only the text, its hash and the time
 * column change.
 */
export function withReceivedAt(prepared: PreparedEntry, receivedAtMs: number): PreparedEntry {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const text = textWithReceivedAt(prepared, receivedAt);
  return {
    entry: {
      ...prepared.entry,
      seq: -1,
      record: text,
      leafHash: leafHash(text),
      receivedAtMs: Date.parse(receivedAt),
    },
    receivedAt,
    clientId: prepared.clientId,
  };
}

/** The prepared record's canonical text with another received_at. */
export function textWithReceivedAt(prepared: PreparedEntry, receivedAt: string): string {
  return (
    replaceReceivedAt(prepared.entry.record, prepared.receivedAt, receivedAt) ??
    canonicalRecord(recordWithReceivedAt(prepared, receivedAt))
  );
}

/**
 * Replaces the record's received_at in its canonical text, without parsing and serialising it
 * again (that was most of the cost of stamping an entry again). The record's own member is
 * `,"received_at":"<from>"`; when the text holds that sequence exactly once, that is the
 * member, whatever the schema puts around it (no JSON string holds it: its quotes would be
 * escaped). A source may repeat the key and value inside `details`; then, and when the text
 * does not hold it at all, this returns undefined and the caller builds the text from the
 * record. Both times are `toISOString` text, which needs no escaping.
 */
export function replaceReceivedAt(text: string, from: string, to: string): string | undefined {
  const member = `,"received_at":"${from}"`;
  const at = text.indexOf(member);
  if (at < 0 || text.indexOf(member, at + 1) >= 0) return undefined;
  return `${text.slice(0, at)},"received_at":"${to}"${text.slice(at + member.length)}`;
}

/** The prepared record, parsed back from its canonical text, with another received_at. */
export function recordWithReceivedAt(prepared: PreparedEntry, receivedAt: string): EventRecord {
  const record = recordFromCanonical(prepared.entry.record);
  return { ...record, received_at: receivedAt };
}

/** The row for a new entry; its seq is set once the batch's order is fixed. */
export function columnsOf(record: EventRecord, text: string, leafHash: Uint8Array): NewEntry {
  return {
    seq: -1,
    leafHash,
    id: record.id,
    source: record.source,
    record: text,
    actorId: record.actor.id,
    action: record.action,
    targetType: record.target?.type ?? null,
    targetId: record.target?.id ?? null,
    outcome: record.outcome,
    timeMs: Date.parse(record.time),
    receivedAtMs: Date.parse(record.received_at),
  };
}
