import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash } from '../../src/core/merkle.js';
import { canonicalRecord, recordFromCanonical } from '../../src/core/record/canonical.js';
import { parseSubmittedRecords } from '../../src/core/record/parse-body.js';
import {
  columnsOf,
  type PreparedEntry,
  prepareEntries,
  replaceReceivedAt,
  withReceivedAt,
} from '../../src/log/prepare-entries.js';
import { ulidGenerator } from '../../src/util/ids.js';

const FIRST = Date.parse('2026-11-22T09:14:03.131Z');
const LATER = FIRST + 1_234;

/** One event as a source sends it, parsed and validated as the events route does. */
function prepared(json: string, historical = false): PreparedEntry {
  const [submitted] = parseSubmittedRecords(json, 'json', { boundSource: 'billing-api' });
  return prepareEntries([submitted!], 'billing-api', FIRST, ulidGenerator(), historical)[0]!;
}

/** The entry withReceivedAt must equal: the record parsed back, re-stamped, serialised anew. */
function rebuilt(entry: PreparedEntry, receivedAtMs: number) {
  const record = {
    ...recordFromCanonical(entry.entry.record),
    received_at: new Date(receivedAtMs).toISOString(),
  };
  const text = canonicalRecord(record);
  return columnsOf(record, text, leafHash(text));
}

const EVENTS: Record<string, string> = {
  'the fewest members':
    '{"time":"2026-11-22T09:14:03.120Z","actor":{"id":"u-1"},"action":"doc.read","outcome":"success"}',
  'every member after received_at':
    '{"id":"01JD8X7Q6R3T9V2W4Y5Z6A7B8C","time":"2026-11-22T09:14:03.120Z","actor":{"id":"u-1","type":"user","name":"Ada","ip":"10.0.0.7","session":"s-1"},"action":"customer.read","target":{"type":"customer","id":"c-9","name":"Zoë \\"quoted\\"","sensitivity":"restricted"},"outcome":"success","reason":"ticket 42","category":"data","severity":"info","request":{"id":"r-1","method":"GET","path":"/customers/c-9","status":200},"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","tenant":"acme"}',
  'details holding a received_at of the same value, nested and in a list':
    '{"time":"2026-11-22T09:14:03.120Z","actor":{"id":"u-1"},"action":"doc.read","outcome":"success","details":{"received_at":"2026-11-22T09:14:03.131Z","copies":[{"received_at":"2026-11-22T09:14:03.131Z"}],"z":{",\\"received_at\\":\\"":1}}}',
  'a reason that spells the member out':
    '{"time":"2026-11-22T09:14:03.120Z","actor":{"id":"u-1"},"action":"doc.read","outcome":"failure","reason":",\\"received_at\\":\\"2026-11-22T09:14:03.131Z\\""}',
};

describe('withReceivedAt: an entry stamped again with a later received_at', () => {
  for (const [name, json] of Object.entries(EVENTS)) {
    it(`equals the record serialised anew: ${name}`, () => {
      const entry = prepared(json);
      assert.equal(entry.receivedAt, new Date(FIRST).toISOString());
      // Edited in place when the member is there once; rebuilt when details repeat it.
      const edited = replaceReceivedAt(entry.entry.record, entry.receivedAt, 'x');
      assert.equal(edited === undefined, name.startsWith('details holding'));
      const again = withReceivedAt(entry, LATER);
      assert.deepEqual(again.entry, rebuilt(entry, LATER));
      assert.equal(again.receivedAt, new Date(LATER).toISOString());
      assert.equal(again.clientId, entry.clientId);
      // The first stamp is gone from the top level; what the source sent in details is not.
      const record = recordFromCanonical(again.entry.record);
      assert.equal(record.received_at, new Date(LATER).toISOString());
      assert.deepEqual(record.details, recordFromCanonical(entry.entry.record).details);
    });
  }

  it('equals the record serialised anew for a declared backfill', () => {
    const entry = prepared(EVENTS['the fewest members']!, true);
    assert.deepEqual(withReceivedAt(entry, LATER).entry, rebuilt(entry, LATER));
  });

  it('builds the text from the record when it does not hold the stamp it was prepared with', () => {
    const entry = prepared(EVENTS['every member after received_at']!);
    const elsewhere = { ...entry, receivedAt: '2026-01-01T00:00:00.000Z' };
    assert.equal(replaceReceivedAt(elsewhere.entry.record, elsewhere.receivedAt, 'x'), undefined);
    assert.deepEqual(withReceivedAt(elsewhere, LATER).entry, rebuilt(entry, LATER));
  });
});
