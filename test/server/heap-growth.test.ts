import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from '../../src/server/heap-growth.js';

describe('heapGrowingPercent (EVIDENT_HEAP_GROWING_PERCENT)', () => {
  it('defaults when the variable is unset or empty', () => {
    assert.equal(heapGrowingPercent(undefined), DEFAULT_HEAP_GROWING_PERCENT);
    assert.equal(heapGrowingPercent(''), DEFAULT_HEAP_GROWING_PERCENT);
  });

  it('takes a whole percent, 0 meaning V8 decides', () => {
    assert.equal(heapGrowingPercent('0'), 0);
    assert.equal(heapGrowingPercent('75'), 75);
  });

  it('refuses what is not a whole percent up to 1000, saying what to give', () => {
    for (const bad of ['-5', '1.5', 'fifty', '2000']) {
      assert.throws(() => heapGrowingPercent(bad), /EVIDENT_HEAP_GROWING_PERCENT=.*whole number/);
    }
  });
});
