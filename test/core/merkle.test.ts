import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { isCoreError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/hash.js';
import {
  EMPTY_ROOT,
  frontierNodeIds,
  leafHash,
  MerkleFrontier,
  type MerkleNode,
  type NodeId,
  nodeHash,
  RFC9162_LEAF_HASH_PREFIX,
  RFC9162_NODE_HASH_PREFIX,
  rootFromLeafHashes,
} from '../../src/core/merkle.js';
import { readVectorJson } from '../support/vectors.js';

interface Rfc6962Vectors {
  hasher_vectors: {
    desc: string;
    want: string;
    leaf_input_hex?: string;
    left_hex?: string;
    right_hex?: string;
  }[];
  leaf_inputs_hex: string[];
  node_hashes_by_level: string[][];
  root_hashes_by_tree_size: string[];
}

interface TlogVectors {
  record_hash: { input_ascii: string; leaf_hash_hex: string };
}

const rfc = readVectorJson<Rfc6962Vectors>(
  'transparency-dev-merkle',
  'rfc6962-reference-vectors.json',
);

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  assert.ok(bytes, `bad hex in vector: ${text}`);
  return bytes;
}

/** An independent MTH (RFC 9162 §2.1.1) written out with BigInt-free recursion on slices. */
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

function subtreeLeaves(leaves: Uint8Array[], id: NodeId): Uint8Array[] {
  const width = 2 ** id.level;
  return leaves.slice(id.index * width, (id.index + 1) * width);
}

const testLeaves = Array.from({ length: 101 }, (_, i) => leafHash(`leaf ${i}`));

describe('RFC 9162 hashing', () => {
  test('prefixes are the RFC values', () => {
    assert.equal(RFC9162_LEAF_HASH_PREFIX, 0x00);
    assert.equal(RFC9162_NODE_HASH_PREFIX, 0x01);
  });

  for (const v of rfc.hasher_vectors) {
    test(`hasher vector: ${v.desc}`, () => {
      let got: Uint8Array;
      if (v.leaf_input_hex !== undefined) got = leafHash(hex(v.leaf_input_hex));
      else if (v.left_hex !== undefined && v.right_hex !== undefined) {
        got = nodeHash(hex(v.left_hex), hex(v.right_hex));
      } else got = EMPTY_ROOT;
      assert.equal(toHex(got), v.want);
    });
  }

  test('a string leaf is hashed as its UTF-8 bytes (Go sumdb RecordHash)', () => {
    const tlog = readVectorJson<TlogVectors>('golang-mod-sumdb', 'tlog-vectors.json');
    assert.equal(toHex(leafHash(tlog.record_hash.input_ascii)), tlog.record_hash.leaf_hash_hex);
    assert.deepEqual(leafHash('été'), leafHash(new Uint8Array([0xc3, 0xa9, 0x74, 0xc3, 0xa9])));
  });

  test('roots for sizes 0–8 and every complete node of the reference tree', () => {
    const leaves = rfc.leaf_inputs_hex.map((input) => leafHash(hex(input)));
    rfc.root_hashes_by_tree_size.forEach((want, size) => {
      assert.equal(toHex(rootFromLeafHashes(leaves.slice(0, size))), want, `size ${size}`);
      const frontier = MerkleFrontier.empty();
      for (const leaf of leaves.slice(0, size)) frontier.append(leaf);
      assert.equal(toHex(frontier.root()), want, `frontier size ${size}`);
    });
    rfc.node_hashes_by_level.forEach((hashes, level) => {
      hashes.forEach((want, index) => {
        const got = referenceRoot(subtreeLeaves(leaves, { level, index }));
        assert.equal(toHex(got), want, `node ${level}/${index}`);
      });
    });
  });
});

describe('frontierNodeIds', () => {
  test('decomposes [0, size) into complete subtrees, largest first', () => {
    assert.deepEqual(frontierNodeIds(0), []);
    assert.deepEqual(frontierNodeIds(1), [{ level: 0, index: 0 }]);
    assert.deepEqual(frontierNodeIds(7), [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    for (let size = 0; size <= 300; size++) {
      let start = 0;
      for (const id of frontierNodeIds(size)) {
        assert.equal(id.index * 2 ** id.level, start, `size ${size}`);
        start += 2 ** id.level;
      }
      assert.equal(start, size);
    }
  });

  test('works past 2^32 and up to 2^53 - 1', () => {
    const size = 2 ** 40 + 12345;
    const ids = frontierNodeIds(size);
    assert.deepEqual(ids[0], { level: 40, index: 0 });
    assert.deepEqual(ids[ids.length - 1], { level: 0, index: size - 1 });
    assert.equal(frontierNodeIds(Number.MAX_SAFE_INTEGER).length, 53);
  });

  test('rejects sizes that are not safe non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      assert.throws(
        () => frontierNodeIds(bad),
        (e) => isCoreError(e, 'INVALID_ARGUMENT'),
      );
    }
  });
});

describe('MerkleFrontier', () => {
  test('appending one by one gives the MTH of every prefix, sizes 0..100', () => {
    const frontier = MerkleFrontier.empty();
    assert.deepEqual(frontier.root(), EMPTY_ROOT);
    for (let size = 0; size <= 100; size++) {
      assert.equal(frontier.size, size);
      const prefix = testLeaves.slice(0, size);
      assert.deepEqual(frontier.root(), referenceRoot(prefix), `root at size ${size}`);
      assert.deepEqual(frontier.root(), rootFromLeafHashes(prefix));
      const expected = frontierNodeIds(size).map((id) => referenceRoot(subtreeLeaves(prefix, id)));
      assert.deepEqual(frontier.hashes(), expected, `frontier at size ${size}`);
      if (size < 100) frontier.append(testLeaves[size]!);
    }
  });

  test('append reports exactly the complete subtrees of level ≥ 1, each once', () => {
    const frontier = MerkleFrontier.empty();
    const reported: MerkleNode[] = [];
    for (let size = 1; size <= 100; size++) {
      const nodes = frontier.append(testLeaves[size - 1]!);
      for (const node of nodes) {
        assert.ok(node.level >= 1);
        // Completed by this append: its last leaf is the new one.
        assert.equal((node.index + 1) * 2 ** node.level, size);
        reported.push(node);
      }
    }
    const expectedKeys: string[] = [];
    for (let level = 1; 2 ** level <= 100; level++) {
      for (let index = 0; (index + 1) * 2 ** level <= 100; index++) {
        expectedKeys.push(`${level}/${index}`);
      }
    }
    assert.deepEqual(reported.map((n) => `${n.level}/${n.index}`).sort(), expectedKeys.sort());
    for (const node of reported) {
      assert.deepEqual(node.hash, referenceRoot(subtreeLeaves(testLeaves, node)));
    }
  });

  test('fromHashes restores a frontier; clone is independent', () => {
    const frontier = MerkleFrontier.empty();
    for (const leaf of testLeaves.slice(0, 37)) frontier.append(leaf);
    const restored = MerkleFrontier.fromHashes(37, frontier.hashes());
    assert.deepEqual(restored.root(), frontier.root());
    const copy = restored.clone();
    copy.append(testLeaves[37]!);
    assert.equal(restored.size, 37);
    assert.equal(copy.size, 38);
    assert.deepEqual(copy.root(), referenceRoot(testLeaves.slice(0, 38)));
    assert.deepEqual(restored.root(), referenceRoot(testLeaves.slice(0, 37)));
  });

  test('fromHashes validates the size, the hash count and hash lengths', () => {
    const hashes = [testLeaves[0]!, testLeaves[1]!];
    const bad: [number, Uint8Array[]][] = [
      [3, hashes.slice(0, 1)],
      [3, [...hashes, testLeaves[2]!]],
      [0, hashes.slice(0, 1)],
      [-1, []],
      [2.5, hashes],
      [3, [testLeaves[0]!, new Uint8Array(31)]],
    ];
    for (const [size, list] of bad) {
      assert.throws(
        () => MerkleFrontier.fromHashes(size, list),
        (e) => isCoreError(e, 'INVALID_ARGUMENT'),
        `size ${size}, ${list.length} hashes`,
      );
    }
    assert.equal(MerkleFrontier.fromHashes(3, hashes).size, 3);
  });

  test('append rejects a leaf hash of the wrong length', () => {
    assert.throws(
      () => MerkleFrontier.empty().append(new Uint8Array(31)),
      (e) => isCoreError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('works at sizes past 2^32 without materialising the tree', () => {
    // A virtual tree whose leaves all hash to `base`, so every complete node of a level
    // shares one hash, computable without the leaves.
    const base = leafHash('');
    const byLevel = [base];
    for (let level = 1; level <= 53; level++) {
      byLevel.push(nodeHash(byLevel[level - 1]!, byLevel[level - 1]!));
    }
    const size = 2 ** 40 + 12345;
    const frontier = MerkleFrontier.fromHashes(
      size,
      frontierNodeIds(size).map((id) => byLevel[id.level]!),
    );
    let maxCarry = 0;
    for (let n = size; n < size + 64; n++) {
      let trailingOnes = 0;
      for (let m = n; m % 2 === 1; m = (m - 1) / 2) trailingOnes++;
      const nodes = frontier.append(base);
      assert.deepEqual(
        nodes.map((node) => node.level),
        Array.from({ length: trailingOnes }, (_, i) => i + 1),
        `append at size ${n}`,
      );
      for (const node of nodes) {
        assert.deepEqual(node.hash, byLevel[node.level]);
        assert.equal((node.index + 1) * 2 ** node.level, n + 1);
      }
      maxCarry = Math.max(maxCarry, trailingOnes);
    }
    assert.ok(maxCarry >= 6);
    // The root of the all-equal tree, folded by hand.
    const ids = frontierNodeIds(size + 64);
    let root = byLevel[ids[ids.length - 1]!.level]!;
    for (let i = ids.length - 2; i >= 0; i--) root = nodeHash(byLevel[ids[i]!.level]!, root);
    assert.deepEqual(frontier.root(), root);
    assert.equal(frontier.size, size + 64);
  });
});
