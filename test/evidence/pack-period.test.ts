import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePackPeriod } from '../../src/evidence/pack-period.js';

describe('pack period', () => {
  it('takes dates as whole UTC days, both ends included', () => {
    assert.deepEqual(parsePackPeriod('2026-01-01', '2026-03-31'), {
      fromMs: Date.parse('2026-01-01T00:00:00Z'),
      toMs: Date.parse('2026-04-01T00:00:00Z'),
    });
  });

  it('takes RFC 3339 times as instants, the end exclusive', () => {
    assert.deepEqual(parsePackPeriod('2026-01-01T10:00:00+02:00', '2026-01-01T12:00:00Z'), {
      fromMs: Date.parse('2026-01-01T08:00:00Z'),
      toMs: Date.parse('2026-01-01T12:00:00Z'),
    });
  });

  it('refuses days that do not exist, other text, and an empty period', () => {
    assert.throws(
      () => parsePackPeriod('2026-02-30', '2026-03-31'),
      /--from: there is no day 2026-02-30/,
    );
    assert.throws(() => parsePackPeriod('last week', '2026-03-31'), /--from must be a date/);
    assert.throws(() => parsePackPeriod('2026-01-01', '2026-13-01'), /--to must be a date/);
    assert.throws(() => parsePackPeriod('2026-03-01', '2026-01-31'), /--to must be after --from/);
  });
});
