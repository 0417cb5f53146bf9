import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endedPeriods, periodContaining } from '../../src/review/cadence.js';
import { startOfLocalDay } from '../../src/review/zoned-time.js';

const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();
const hours = (p: { startMs: number; endMs: number }) => (p.endMs - p.startMs) / 3_600_000;

describe('review periods in a time zone', () => {
  it('a day across the spring and autumn DST changes is 23 and 25 hours (Europe/Berlin)', () => {
    const spring = periodContaining('daily', 'Europe/Berlin', at('2026-03-29T12:00:00Z'));
    assert.equal(iso(spring.startMs), '2026-03-28T23:00:00.000Z');
    assert.equal(iso(spring.endMs), '2026-03-29T22:00:00.000Z');
    assert.equal(hours(spring), 23);
    const autumn = periodContaining('daily', 'Europe/Berlin', at('2026-10-25T12:00:00Z'));
    assert.equal(hours(autumn), 25);
  });

  it('weeks start on Monday at local midnight', () => {
    const week = periodContaining('weekly', 'Europe/Berlin', at('2026-12-03T12:00:00Z'));
    assert.equal(iso(week.startMs), '2026-11-29T23:00:00.000Z'); // Monday 30 Nov, 00:00 CET
    assert.equal(iso(week.endMs), '2026-12-06T23:00:00.000Z');
    // The week of the autumn change is an hour longer.
    assert.equal(
      hours(periodContaining('weekly', 'Europe/Berlin', at('2026-10-22T00:00:00Z'))),
      169,
    );
  });

  it('months end where the calendar says: February, 30- and 31-day months, leap years', () => {
    const feb = periodContaining('monthly', 'UTC', at('2028-02-29T23:59:59.999Z'));
    assert.equal(iso(feb.startMs), '2028-02-01T00:00:00.000Z');
    assert.equal(iso(feb.endMs), '2028-03-01T00:00:00.000Z');
    // The last instant of January 31 in New York is still January there (UTC is February).
    const jan = periodContaining('monthly', 'America/New_York', at('2027-02-01T04:59:59.999Z'));
    assert.equal(iso(jan.startMs), '2027-01-01T05:00:00.000Z');
    assert.equal(iso(jan.endMs), '2027-02-01T05:00:00.000Z');
    const months = endedPeriods(
      'monthly',
      'Europe/Berlin',
      at('2026-01-15T00:00:00Z'),
      at('2026-05-02T00:00:00Z'),
      10,
    );
    assert.deepEqual(
      months.map((p) => hours(p) / 24),
      [31, 28, 31 - 1 / 24, 30],
    );
  });

  it('quarters start in January, April, July and October; years on January 1', () => {
    const q = periodContaining('quarterly', 'Asia/Tokyo', at('2026-12-31T16:00:00Z')); // 1 Jan 2027 JST
    assert.equal(iso(q.startMs), '2026-12-31T15:00:00.000Z');
    assert.equal(iso(q.endMs), '2027-03-31T15:00:00.000Z');
    const y = periodContaining('yearly', 'UTC', at('2026-07-01T00:00:00Z'));
    assert.equal(iso(y.startMs), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(y.endMs), '2027-01-01T00:00:00.000Z');
  });

  it('a day whose midnight a DST change skips starts at its first instant (America/Santiago)', () => {
    // 2026-09-06: clocks jump from 00:00 to 01:00.
    const start = startOfLocalDay('America/Santiago', 2026, 8, 6);
    assert.equal(iso(start), '2026-09-06T04:00:00.000Z');
    const before = periodContaining('daily', 'America/Santiago', at('2026-09-05T12:00:00Z'));
    assert.equal(before.endMs, start);
    assert.equal(hours(periodContaining('daily', 'America/Santiago', start)), 23);
  });

  it('consecutive periods neither overlap nor leave gaps, and catching up is bounded', () => {
    const all = endedPeriods(
      'daily',
      'America/Santiago',
      at('2026-01-01T12:00:00Z'),
      at('2027-01-01T12:00:00Z'),
      400,
    );
    assert.equal(all.length, 365);
    for (let i = 1; i < all.length; i++) assert.equal(all[i]!.startMs, all[i - 1]!.endMs);
    const newest = endedPeriods('daily', 'UTC', 0, at('2026-01-10T12:00:00Z'), 3);
    assert.deepEqual(
      newest.map((p) => iso(p.startMs).slice(0, 10)),
      ['2026-01-07', '2026-01-08', '2026-01-09'],
    );
  });
});
