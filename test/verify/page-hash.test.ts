/**
 * The verify pages hash with latin1 digests (page-hash.ts) instead of core's Buffers: they
 * must give exactly the RFC 9162 hashes core gives, for every record text and every range.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../src/core/bytes.js';
import { HASH_SIZE, leafHash } from '../../src/core/merkle.js';
import { rangeLevels } from '../../src/core/merkle-range.js';
import { digestBytes, digestEquals, leafDigest, pageLevels } from '../../src/verify/page-hash.js';

const LEAVES = Array.from({ length: 300 }, (_, i) => leafHash(`leaf ${i}`));

const packed = (from: number, count: number) => {
  const bytes = new Uint8Array(count * HASH_SIZE);
  for (let k = 0; k < count; k++) bytes.set(LEAVES[from + k]!, k * HASH_SIZE);
  return bytes;
};

describe('page hashing', () => {
  test('a leaf digest is the leaf hash, for ASCII, multi-byte and astral text', () => {
    for (const text of ['', '{"a":1}', 'é ü ß', '日本語', '😀 \u2028', 'x'.repeat(5000)]) {
      const digest = leafDigest(text);
      assert.equal(digest.length, HASH_SIZE);
      assert.equal(toHex(digestBytes(digest)), toHex(leafHash(text)), text.slice(0, 20));
      assert.ok(digestEquals(digest, leafHash(text)));
    }
  });

  test('a digest equals only the same 32 bytes', () => {
    const digest = leafDigest('record');
    const bytes = leafHash('record');
    for (let k = 0; k < HASH_SIZE; k++) {
      const changed = bytes.slice();
      changed[k]! ^= 0x80;
      assert.equal(digestEquals(digest, changed), false, `byte ${k}`);
    }
    assert.equal(digestEquals(digest, bytes.subarray(0, 31)), false);
    assert.equal(digestEquals(digest, new Uint8Array([...bytes, 0])), false);
  });

  test('pageLevels gives rangeLevels, byte for byte, for ranges on and off node edges', () => {
    for (const [from, count] of [
      [0, 0],
      [0, 1],
      [0, 256],
      [0, 300],
      [1, 255],
      [5, 1],
      [13, 200],
      [64, 64],
      [100, 137],
      [255, 45],
    ] as const) {
      const expected = rangeLevels(from, packed(from, count), count).map(toHex);
      const got = pageLevels(from, packed(from, count), count).map(toHex);
      assert.deepEqual(got, expected, `from ${from}, count ${count}`);
    }
  });
});
