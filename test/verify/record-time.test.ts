import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRecordTime } from '../../src/verify/record-time.js';

/** Date.parse, with NaN made comparable. */
const expected = (value: unknown) => Date.parse(value as string);

describe('parseRecordTime', () => {
  it('equals Date.parse for stored timestamps across four centuries', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const from = Date.UTC(1970, 0, 1);
    const to = Date.UTC(2400, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const text = new Date(from + Math.floor(random() * (to - from))).toISOString();
      assert.equal(parseRecordTime(text), expected(text), text);
    }
  });

  it('equals Date.parse on calendar edges', () => {
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T23:59:59.999Z',
      '2100-02-28T12:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      assert.equal(parseRecordTime(text), expected(text), text);
    }
  });

  it('leaves every other form to Date.parse, whatever it makes of it', () => {
    for (const value of [
      '2026-02-30T00:00:00.000Z', // Date.parse rolls over into March
      '2100-02-29T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:60.000Z',
      '2026-13-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '0050-01-01T00:00:00.000Z',
      '2026-01-01t00:00:00.000Z',
      '2026-01-01T00:00:00.000z',
      '2026-01-01T00:00:00+00:00',
      '2026-01-01T01:00:00.000+01:00',
      '2026-01-01T00:00:00.0000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-0xT00:00:00.000Z',
      '+02026-01-01T00:00:00.00Z',
      '',
      'not a time',
      12,
      null,
      undefined,
    ]) {
      assert.deepEqual(parseRecordTime(value), expected(value), String(value));
    }
  });
});
