import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readableDuration } from '../../src/cli/readable-duration.js';

describe('readableDuration', () => {
  it('prints the size of a duration in at most two units', () => {
    const cases: [number, string][] = [
      [0, '0 ms'],
      [850, '850 ms'],
      [4_249, '4.2 s'],
      [42_000, '42 s'],
      [12 * 60_000, '12 min'],
      [12 * 60_000 + 5_000, '12 min 5 s'],
      [85 * 60_000 + 59_000, '1 h 25 min'],
      [6 * 3_600_000, '6 h'],
      [3 * 86_400_000 + 4 * 3_600_000 + 60_000, '3 d 4 h'],
      [-90 * 60_000, '-1 h 30 min'],
    ];
    for (const [ms, text] of cases) assert.equal(readableDuration(ms), text, `${ms} ms`);
  });
});
