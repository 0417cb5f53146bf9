/**
 * The one-pass canonical check may only say "canonical" where parsing and re-canonicalising
 * says so too, with the same column fields; where it is unsure it must say so (undefined).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRecord } from '../../src/core/record/canonical.js';
import type { EventRecord } from '../../src/core/record/types.js';
import { scanCanonicalRecord } from '../../src/verify/canonical-scan.js';

const RECORD = {
  action: 'customer.read',
  actor: { id: 'u-1', ip: '10.0.0.7', name: 'Ada "the" Lovelace\n', type: 'user' },
  category: 'data',
  details: { count: 12, flags: [true, false, null], nested: { a: -3, b: 0, z: 'ü€' } },
  id: '01J0000000000000000000000A',
  outcome: 'success',
  received_at: '2026-11-22T09:14:03.131Z',
  request: { method: 'GET', status: 200 },
  source: 'billing-api',
  target: { id: 'c-9', type: 'customer' },
  time: '2026-11-22T09:14:03.120Z',
};
const TEXT = canonicalRecord(RECORD as unknown as EventRecord);

/** What the slow way says: canonical or not. */
function slowCanonical(text: string): boolean {
  try {
    return canonicalRecord(JSON.parse(text) as EventRecord) === text;
  } catch {
    return false;
  }
}

describe('scanCanonicalRecord', () => {
  it('reads the column fields of a canonical record, escapes decoded', () => {
    assert.deepEqual(scanCanonicalRecord(TEXT), {
      id: RECORD.id,
      source: 'billing-api',
      actorId: 'u-1',
      action: 'customer.read',
      outcome: 'success',
      time: RECORD.time,
      receivedAt: RECORD.received_at,
      targetType: 'customer',
      targetId: 'c-9',
    });
    const escaped = canonicalRecord({ ...RECORD, id: 'a"b\\c\td' } as unknown as EventRecord);
    assert.equal(scanCanonicalRecord(escaped)?.id, 'a"b\\c\td');
    const noTarget = canonicalRecord({ ...RECORD, target: undefined } as unknown as EventRecord);
    assert.equal(scanCanonicalRecord(noTarget)?.targetId, null);
    const untyped = TEXT.replace(',"type":"customer"}', '}');
    assert.equal(slowCanonical(untyped), true);
    assert.equal(scanCanonicalRecord(untyped)?.targetType, null);
  });

  // Each is valid JSON of the same record (or close to it) that is NOT its canonical form.
  const notCanonical: [string, string][] = [
    ['a space after a colon', TEXT.replace('"action":', '"action": ')],
    ['a trailing newline', `${TEXT}\n`],
    ['keys out of order', TEXT.replace('"id":"u-1","ip":"10.0.0.7"', '"ip":"10.0.0.7","id":"u-1"')],
    ['a duplicate key', TEXT.replace('"category":"data"', '"category":"data","category":"data"')],
    ['an escaped slash', TEXT.replace('billing-api', 'billing\\/api')],
    ['a needless \\u escape', TEXT.replace('customer.read', '\\u0063ustomer.read')],
    ['an uppercase \\u escape', TEXT.replace('"c-9"', '"c-9\\u001F"')],
    ['a number with a fraction', TEXT.replace('"count":12', '"count":12.0')],
    ['a number with an exponent', TEXT.replace('"count":12', '"count":1.2e1')],
    ['a leading zero', TEXT.replace('"count":12', '"count":012')],
    ['minus zero', TEXT.replace('"b":0', '"b":-0')],
    ['an escaped surrogate pair', TEXT.replace('ü€', '\\ud83d\\ude00')],
  ];
  for (const [what, text] of notCanonical) {
    it(`is never sure of a text with ${what}`, () => {
      assert.equal(scanCanonicalRecord(text), undefined);
      assert.equal(slowCanonical(text), false, 'the slow way rejects it too');
    });
  }

  it('leaves to the slow way what it cannot be sure of, even when it is canonical', () => {
    // Canonical all: a lone surrogate escaped, a control character, a float, a big integer.
    for (const details of [{ s: '\ud800' }, { s: '\u0001' }, { n: 1.5 }, { n: 2 ** 52 }]) {
      const text = canonicalRecord({ ...RECORD, details } as unknown as EventRecord);
      assert.equal(slowCanonical(text), true);
      assert.equal(scanCanonicalRecord(text), undefined);
    }
    // A column field of the wrong type, or a missing one: the slow way names the column.
    assert.equal(scanCanonicalRecord('"just a string"'), undefined);
    for (const changed of [{ source: 7 }, { actor: 'u-1' }, { outcome: undefined }]) {
      const text = canonicalRecord({ ...RECORD, ...changed } as unknown as EventRecord);
      assert.equal(scanCanonicalRecord(text), undefined);
    }
  });

  it('agrees with the slow way on every prefix and every one-character change', () => {
    const short = canonicalRecord({
      action: 'a.b',
      actor: { id: 'u' },
      details: { k: [1, -2, 'x'] },
      id: 'i',
      outcome: 'success',
      received_at: 'r',
      source: 's',
      target: { id: 't', type: 'y' },
      time: 't',
    } as unknown as EventRecord);
    const alphabet = [
      '"',
      '\\',
      ' ',
      ',',
      ':',
      '{',
      '}',
      '[',
      ']',
      '0',
      '1',
      '-',
      'a',
      'z',
      'n',
      'é',
    ];
    const texts: string[] = [];
    for (let i = 0; i <= short.length; i++) texts.push(short.slice(0, i));
    for (let i = 0; i < short.length; i++)
      for (const c of alphabet) texts.push(short.slice(0, i) + c + short.slice(i + 1));
    let sure = 0;
    for (const text of texts) {
      const fields = scanCanonicalRecord(text);
      if (fields === undefined) continue;
      sure++;
      assert.equal(slowCanonical(text), true, `scan accepted a non-canonical text: ${text}`);
      const record = JSON.parse(text);
      assert.equal(fields.actorId, record.actor.id);
      assert.equal(fields.targetId, record.target?.id ?? null);
      assert.equal(fields.id, record.id);
    }
    assert.ok(sure > 10, 'some one-character changes are canonical too');
  });
});
