import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringifyInSlices } from '../../src/util/sliced-json.js';
import { mulberry32 } from '../support/prng.js';

const AWKWARD_STRINGS = [
  '',
  'plain',
  'quote " and \\ backslash',
  'line\nbreak\ttab',
  '\u0000\u001f',
  'é ü 漢字 😀',
  '\ud800 lone surrogate',
  '</script>',
];
const AWKWARD_NUMBERS = [
  0,
  -0,
  1,
  -1.5,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** Random JSON-ish data, with the values JSON.stringify treats specially mixed in. */
function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (depth > 2 || r < 0.35) {
    return pick<unknown>([
      pick(AWKWARD_STRINGS),
      pick(AWKWARD_NUMBERS),
      true,
      false,
      null,
      undefined,
      () => 1,
      Symbol('s'),
      new Date(Math.floor(random() * 2e12)),
      { toJSON: (key: string) => `toJSON of ${key}` },
    ]);
  }
  // Lengths on both sides of the native-stringify cut-off (16 members).
  const size = pick([0, 1, 3, 16, 17, 40]);
  if (r < 0.7) return Array.from({ length: size }, () => randomValue(random, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    out[pick(['a', 'b"q', '2', '10', 'ключ', `k${i}`, ''])] = randomValue(random, depth + 1);
  }
  return out;
}

describe('stringifyInSlices', () => {
  it('writes what JSON.stringify writes, for awkward values at every depth', async () => {
    const random = mulberry32(7);
    for (let i = 0; i < 400; i++) {
      // Wrapped in an object, which is always walked (a short array would be written whole).
      const value = { v: randomValue(random, 0) };
      assert.equal(await stringifyInSlices(value, 0), JSON.stringify(value), `value #${i}`);
    }
    const object = { a: undefined, b: () => 1, c: Symbol('c'), d: 1 };
    assert.equal(await stringifyInSlices(object), '{"d":1}');
    assert.equal(await stringifyInSlices([undefined, () => 1]), '[null,null]');
    assert.equal(await stringifyInSlices('top'), '"top"');
    assert.equal(await stringifyInSlices(new Date(0)), JSON.stringify(new Date(0)));
  });

  it('writes a rule-state-shaped document exactly (long lists of short tuples)', async () => {
    const buckets = Array.from({ length: 5_000 }, (_, i) => [
      `actor-${i}`,
      Array.from({ length: 20 }, (_, j) => [1_700_000_000_000 + j, i * 20 + j, 'source "x"']),
      i,
    ]);
    const state = {
      rules: { 'iso.bulk-reads': { fingerprint: 'f', state: { buckets, swept: 3 } } },
    };
    assert.equal(await stringifyInSlices(state), JSON.stringify(state));
  });

  it('lets the event loop run between slices', async () => {
    const big = Array.from({ length: 200_000 }, (_, i) => [i, `s${i}`]);
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const text = await stringifyInSlices(big, 0);
    running = false;
    assert.equal(text, JSON.stringify(big));
    // A slice of 0 ms ends after every 32 members: thousands of turns for 200,000.
    assert.ok(turns > 1000, `the loop ran ${turns} times while 200,000 members were written`);
  });

  it('refuses what has no JSON form, as JSON.stringify does', async () => {
    await assert.rejects(stringifyInSlices(undefined), TypeError);
    await assert.rejects(
      stringifyInSlices(() => 1),
      TypeError,
    );
    await assert.rejects(stringifyInSlices({ n: 1n }), TypeError);
  });
});
