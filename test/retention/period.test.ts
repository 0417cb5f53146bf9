import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatPeriod,
  mayBeShorter,
  parsePeriod,
  periodStart,
} from '../../src/retention/period.js';
import { purgeCutoff, shortenings } from '../../src/retention/policy.js';

const at = (iso: string) => Date.parse(iso);

describe('retention periods', () => {
  it('parses whole days and months only', () => {
    assert.deepEqual(parsePeriod('P12M'), { amount: 12, unit: 'months' });
    assert.deepEqual(parsePeriod('P90D'), { amount: 90, unit: 'days' });
    for (const bad of ['P0M', 'P1Y', '12m', 'P1.5M', 'P-1D', 'P12000000D', ''])
      assert.equal(parsePeriod(bad), undefined, bad);
    assert.equal(formatPeriod({ amount: 36, unit: 'months' }), 'P36M');
  });

  it('counts calendar months in UTC, clamping to the month’s last day', () => {
    assert.equal(
      periodStart(at('2027-03-31T10:00:00.000Z'), { amount: 1, unit: 'months' }),
      at('2027-02-28T10:00:00.000Z'),
    );
    assert.equal(
      periodStart(at('2029-11-22T09:00:00.000Z'), { amount: 36, unit: 'months' }),
      at('2026-11-22T09:00:00.000Z'),
    );
    assert.equal(
      periodStart(at('2027-01-10T00:00:00.000Z'), { amount: 10, unit: 'days' }),
      at('2026-12-31T00:00:00.000Z'),
    );
  });

  it('judges mixed units cautiously when asking whether a change shortens', () => {
    assert.equal(
      mayBeShorter({ amount: 11, unit: 'months' }, { amount: 12, unit: 'months' }),
      true,
    );
    assert.equal(
      mayBeShorter({ amount: 13, unit: 'months' }, { amount: 12, unit: 'months' }),
      false,
    );
    assert.equal(mayBeShorter({ amount: 365, unit: 'days' }, { amount: 12, unit: 'months' }), true);
    assert.equal(
      mayBeShorter({ amount: 400, unit: 'days' }, { amount: 12, unit: 'months' }),
      false,
    );
  });

  it('names what a new policy shortens: a first maximum, a removed minimum, a shorter period', () => {
    const m = (amount: number) => ({ amount, unit: 'months' as const });
    assert.deepEqual(
      shortenings({ source: '*', min: null, max: m(36), archive: false }, undefined),
      ['maximum forever → P36M'],
    );
    assert.deepEqual(
      shortenings(
        { source: '*', min: null, max: m(40), archive: false },
        { source: '*', min: m(12), max: m(36), archive: false },
      ),
      ['minimum P12M → none'],
    );
    assert.deepEqual(
      shortenings(
        { source: '*', min: m(13), max: null, archive: false },
        { source: '*', min: m(12), max: m(36), archive: false },
      ),
      [],
    );
  });

  it('purges only past both the maximum and the minimum', () => {
    const now = at('2030-01-01T00:00:00.000Z');
    const policy = {
      source: '*',
      min: { amount: 48, unit: 'months' as const },
      max: { amount: 36, unit: 'months' as const },
      archive: false,
    };
    assert.equal(purgeCutoff(policy, now), at('2026-01-01T00:00:00.000Z'));
    assert.equal(purgeCutoff({ ...policy, max: null }, now), undefined);
  });
});
