import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeSlice } from '../../src/util/time-slice.js';

describe('time slices', () => {
  it('looks at the clock only every checkEvery calls', async () => {
    const slice = new TimeSlice(0, 4);
    await new Promise((resolve) => setTimeout(resolve, 2)); // the slice's time is up
    assert.deepEqual(
      Array.from({ length: 8 }, () => slice.spent()),
      [false, false, false, true, false, false, false, true],
    );
  });

  it('is not spent while its time lasts', () => {
    const slice = new TimeSlice(60_000, 1);
    for (let i = 0; i < 1_000; i++) assert.equal(slice.spent(), false);
  });

  it('next() lets waiting callbacks run, then starts a new slice', async () => {
    const slice = new TimeSlice(0, 2);
    slice.spent(); // one call counted toward the next look
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await slice.next();
    assert.equal(ran, true);
    // The count starts over: the first call after next() does not look yet.
    assert.equal(slice.spent(), false);
  });
});
