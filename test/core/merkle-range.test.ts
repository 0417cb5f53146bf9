/**
 * A page of leaves hashed on its own (rangeLevels) and appended as complete subtrees
 * (alignedSubtrees + MerkleFrontier.appendSubtree) must build exactly the tree, and report
 * exactly the nodes, that appending its leaves one by one does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../src/core/bytes.js';
import { isCoreError } from '../../src/core/errors.js';
import {
  HASH_SIZE,
  leafHash,
  MerkleFrontier,
  pow2,
  rootFromLeafHashes,
} from '../../src/core/merkle.js';
import {
  alignedSubtrees,
  firstNodeIndex,
  levelHash,
  rangeLevels,
} from '../../src/core/merkle-range.js';

const LEAVES = Array.from({ length: 70 }, (_, i) => leafHash(`leaf ${i}`));

/** The hash of complete node (level, index), straight from RFC 9162's definition. */
const nodeOf = (level: number, index: number) =>
  rootFromLeafHashes(LEAVES.slice(index * pow2(level), (index + 1) * pow2(level)));

const packed = (from: number, count: number) => {
  const bytes = new Uint8Array(count * HASH_SIZE);
  for (let k = 0; k < count; k++) bytes.set(LEAVES[from + k]!, k * HASH_SIZE);
  return bytes;
};

describe('rangeLevels', () => {
  test('holds exactly the complete nodes inside the range, each with its RFC 9162 hash', () => {
    for (const [from, count] of [
      [0, 64],
      [0, 70],
      [5, 1],
      [5, 0],
      [13, 50],
      [48, 16],
      [50, 20],
    ] as const) {
      const levels = rangeLevels(from, packed(from, count), count);
      for (let level = 0; level < 8; level++) {
        const expected: string[] = [];
        for (let index = 0; (index + 1) * pow2(level) <= from + count; index++) {
          if (index * pow2(level) >= from) expected.push(toHex(nodeOf(level, index)));
        }
        const got = levels[level] ?? new Uint8Array(0);
        const hashes = Array.from({ length: got.length / HASH_SIZE }, (_, k) =>
          toHex(got.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE)),
        );
        assert.deepEqual(hashes, expected, `from ${from}, count ${count}, level ${level}`);
        if (expected.length > 0) {
          const id = { level, index: firstNodeIndex(from, level) };
          assert.equal(toHex(levelHash(levels, from, id)), expected[0]);
        }
      }
    }
  });
});

describe('alignedSubtrees and appendSubtree', () => {
  test('every cut of every range rebuilds the same tree and the same nodes as leaf by leaf', () => {
    for (let from = 0; from <= 40; from++) {
      for (let to = from; to <= 70; to += 3) {
        const oneByOne = MerkleFrontier.empty();
        const bySubtree = MerkleFrontier.empty();
        for (const leaf of LEAVES.slice(0, from)) {
          oneByOne.append(leaf);
          bySubtree.append(leaf);
        }
        const expected = new Set<string>();
        for (const leaf of LEAVES.slice(from, to)) {
          for (const n of oneByOne.append(leaf))
            expected.add(`${n.level}/${n.index}/${toHex(n.hash)}`);
        }
        const got = new Set<string>();
        let at = from;
        for (const id of alignedSubtrees(from, to)) {
          assert.equal(id.index * pow2(id.level), at, 'subtrees are contiguous, left to right');
          at += pow2(id.level);
          // The subtree's own nodes are the caller's; appendSubtree reports the ones above it.
          for (let level = 1; level <= id.level; level++) {
            const span = pow2(id.level - level);
            for (let k = 0; k < span; k++) {
              const index = id.index * span + k;
              got.add(`${level}/${index}/${toHex(nodeOf(level, index))}`);
            }
          }
          for (const n of bySubtree.appendSubtree(id.level, nodeOf(id.level, id.index))) {
            assert.ok(n.level > id.level);
            got.add(`${n.level}/${n.index}/${toHex(n.hash)}`);
          }
        }
        assert.equal(at, to);
        assert.equal(bySubtree.size, to);
        assert.deepEqual(bySubtree.hashes().map(toHex), oneByOne.hashes().map(toHex));
        assert.equal(toHex(bySubtree.root()), toHex(rootFromLeafHashes(LEAVES.slice(0, to))));
        assert.deepEqual([...got].sort(), [...expected].sort(), `[${from}, ${to})`);
      }
    }
  });

  test('a subtree that does not start on its own boundary is refused', () => {
    const frontier = MerkleFrontier.empty();
    frontier.append(LEAVES[0]!);
    assert.throws(
      () => frontier.appendSubtree(1, nodeOf(1, 0)),
      (e) => isCoreError(e) && e.code === 'INVALID_ARGUMENT',
    );
    assert.throws(
      () => frontier.appendSubtree(0, new Uint8Array(31)),
      (e) => isCoreError(e) && e.code === 'INVALID_ARGUMENT',
    );
    assert.throws(
      () => MerkleFrontier.empty().appendSubtree(53, nodeOf(0, 0)),
      (e) => isCoreError(e) && e.code === 'INVALID_ARGUMENT',
    );
    assert.equal(frontier.size, 1);
  });
});
