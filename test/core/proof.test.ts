import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fromBase64, fromHex, toHex } from '../../src/core/bytes.js';
import { type CoreError, isCoreError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/hash.js';
import {
  frontierNodeIds,
  leafHash,
  MerkleFrontier,
  type NodeId,
  nodeHash,
  rootFromLeafHashes,
} from '../../src/core/merkle.js';
import {
  buildProof,
  consistencyProofRanges,
  inclusionProofRanges,
  proofNodeIds,
  rangeHash,
  rangeNodeIds,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/proof.js';
import { readVectorJson, vectorPath } from '../support/vectors.js';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  assert.ok(bytes, `bad hex in vector: ${text}`);
  return bytes;
}

/** transparency-dev vectors: null, missing and "" all mean empty. */
function b64(text: string | null | undefined): Uint8Array {
  if (text === null || text === undefined || text === '') return new Uint8Array(0);
  const bytes = fromBase64(text);
  assert.ok(bytes, `bad base64 in vector: ${text}`);
  return bytes;
}

function isProofError(error: unknown): error is CoreError {
  return isCoreError(error, 'INVALID_PROOF') || isCoreError(error, 'INVALID_ARGUMENT');
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFilesUnder(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

/** A real tree: leaf hashes plus every complete node, with a lookup bounded by a size. */
function realTree(leaves: Uint8Array[]) {
  const levels: Uint8Array[][] = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const level: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i]!, below[i + 1]!));
    levels.push(level);
  }
  const lookupWithin = (size: number) => (id: NodeId) => {
    assert.ok((id.index + 1) * 2 ** id.level <= size, `node ${id.level}/${id.index} ≥ size`);
    const hash = levels[id.level]?.[id.index];
    assert.ok(hash, `no node ${id.level}/${id.index}`);
    return hash;
  };
  const root = (size: number) => rootFromLeafHashes(leaves.slice(0, size));
  return { lookupWithin, root };
}

// RFC 9162 §2.1.3.1 / §2.1.4.1 written out literally over leaf lists: an independent oracle.
function referencePath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m < k) return [...referencePath(m, leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k))];
  return [...referencePath(m - k, leaves.slice(k)), rootFromLeafHashes(leaves.slice(0, k))];
}

function referenceSubproof(m: number, leaves: Uint8Array[], whole: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return whole ? [] : [rootFromLeafHashes(leaves)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) {
    return [
      ...referenceSubproof(m, leaves.slice(0, k), whole),
      rootFromLeafHashes(leaves.slice(k)),
    ];
  }
  return [
    ...referenceSubproof(m - k, leaves.slice(k), false),
    rootFromLeafHashes(leaves.slice(0, k)),
  ];
}

function flipBit(hash: Uint8Array, bit: number): Uint8Array {
  const copy = hash.slice();
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
}

describe('transparency-dev/merkle testdata (RFC 9162 verification)', () => {
  const root = vectorPath('transparency-dev-merkle', 'testdata');
  let happy = 0;
  let negative = 0;
  let generated = 0;
  // The RFC 6962 reference tree the happy paths were generated from.
  const rfc = readVectorJson<{ leaf_inputs_hex: string[] }>(
    'transparency-dev-merkle',
    'rfc6962-reference-vectors.json',
  );
  const tree = realTree(rfc.leaf_inputs_hex.map((input) => leafHash(hex(input))));

  interface InclusionVector {
    leafIdx: number;
    treeSize: number;
    root: string | null;
    leafHash: string | null;
    proof?: string[] | null;
    desc: string;
    wantErr: boolean;
  }
  interface ConsistencyVector {
    size1: number;
    size2: number;
    root1: string | null;
    root2: string | null;
    proof?: string[] | null;
    desc: string;
    wantErr: boolean;
  }

  describe('inclusion', () => {
    for (const file of jsonFilesUnder(join(root, 'inclusion'))) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
      test(`${relative(root, file)}: ${v.desc}`, () => {
        const proof = (v.proof ?? []).map(b64);
        const run = () =>
          verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), proof, b64(v.root));
        if (v.wantErr) {
          assert.throws(run, isProofError);
          negative++;
          return;
        }
        run();
        happy++;
        if (v.treeSize <= 8 && toHex(b64(v.root)) === toHex(tree.root(v.treeSize))) {
          const ranges = inclusionProofRanges(v.leafIdx, v.treeSize);
          assert.deepEqual(buildProof(ranges, tree.lookupWithin(v.treeSize)), proof);
          generated++;
        }
      });
    }
  });

  describe('consistency', () => {
    for (const file of jsonFilesUnder(join(root, 'consistency'))) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
      test(`${relative(root, file)}: ${v.desc}`, () => {
        const proof = (v.proof ?? []).map(b64);
        const run = () => verifyConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2));
        if (v.wantErr) {
          assert.throws(run, isProofError);
          negative++;
          return;
        }
        run();
        happy++;
        if (v.size2 <= 8 && toHex(b64(v.root2)) === toHex(tree.root(v.size2))) {
          const ranges = consistencyProofRanges(v.size1, v.size2);
          assert.deepEqual(buildProof(ranges, tree.lookupWithin(v.size2)), proof);
          generated++;
        }
      });
    }
  });

  test('every vector ran', (t) => {
    t.diagnostic(`${happy} happy, ${negative} negative, ${generated} regenerated`);
    assert.ok(happy >= 12, `happy paths: ${happy}`);
    assert.ok(negative >= 150, `negative cases: ${negative}`);
    assert.ok(generated >= 10, `regenerated proofs: ${generated}`);
  });
});

describe('rfc6962-reference-vectors.json proofs', () => {
  interface Vectors {
    leaf_inputs_hex: string[];
    root_hashes_by_tree_size: string[];
    inclusion_proofs_upstream: { leafIndex: number; treeSize: number; path: string[] }[];
    consistency_proofs_upstream: { size1: number; size2: number; proof: string[] }[];
    derived_all_proofs_up_to_8: {
      inclusion: { leafIndex: number; treeSize: number; path: string[] }[];
      consistency: { size1: number; size2: number; proof: string[] }[];
    };
  }
  const v = readVectorJson<Vectors>('transparency-dev-merkle', 'rfc6962-reference-vectors.json');
  const leaves = v.leaf_inputs_hex.map((input) => leafHash(hex(input)));
  const tree = realTree(leaves);
  const rootOf = (size: number) => hex(v.root_hashes_by_tree_size[size]!);

  const inclusion = [
    ...v.inclusion_proofs_upstream.map((p) => ({ ...p, source: 'upstream' })),
    ...v.derived_all_proofs_up_to_8.inclusion.map((p) => ({ ...p, source: 'derived' })),
  ];
  test(`inclusion: generation reproduces and verifies ${inclusion.length} proofs`, () => {
    for (const p of inclusion) {
      const want = p.path.map(hex);
      const ranges = inclusionProofRanges(p.leafIndex, p.treeSize);
      const got = buildProof(ranges, tree.lookupWithin(p.treeSize));
      assert.deepEqual(got, want, `${p.source} ${p.leafIndex}/${p.treeSize}`);
      verifyInclusion(p.leafIndex, p.treeSize, leaves[p.leafIndex]!, want, rootOf(p.treeSize));
    }
  });

  const consistency = [
    ...v.consistency_proofs_upstream.map((p) => ({ ...p, source: 'upstream' })),
    ...v.derived_all_proofs_up_to_8.consistency.map((p) => ({ ...p, source: 'derived' })),
  ];
  test(`consistency: generation reproduces and verifies ${consistency.length} proofs`, () => {
    for (const p of consistency) {
      const want = p.proof.map(hex);
      const ranges = consistencyProofRanges(p.size1, p.size2);
      const got = buildProof(ranges, tree.lookupWithin(p.size2));
      assert.deepEqual(got, want, `${p.source} ${p.size1}→${p.size2}`);
      verifyConsistency(p.size1, p.size2, want, rootOf(p.size1), rootOf(p.size2));
    }
  });
});

describe('proof ranges', () => {
  test('inclusion and consistency ranges for small trees', () => {
    assert.deepEqual(inclusionProofRanges(0, 1), []);
    assert.deepEqual(inclusionProofRanges(5, 8), [
      { start: 4, end: 5 },
      { start: 6, end: 8 },
      { start: 0, end: 4 },
    ]);
    assert.deepEqual(consistencyProofRanges(3, 3), []);
    assert.deepEqual(consistencyProofRanges(4, 8), [{ start: 4, end: 8 }]);
    assert.deepEqual(consistencyProofRanges(6, 8), [
      { start: 4, end: 6 },
      { start: 6, end: 8 },
      { start: 0, end: 4 },
    ]);
  });

  test('rangeNodeIds splits a proof range into aligned subtrees; rejects unaligned ones', () => {
    assert.deepEqual(rangeNodeIds({ start: 8, end: 15 }), [
      { level: 2, index: 2 },
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
    assert.deepEqual(rangeNodeIds({ start: 3, end: 3 }), []);
    for (const bad of [
      { start: 2, end: 6 },
      { start: 5, end: 4 },
      { start: -1, end: 4 },
      { start: 0, end: 2 ** 53 },
    ]) {
      assert.throws(
        () => rangeNodeIds(bad),
        (e) => isCoreError(e, 'INVALID_ARGUMENT'),
      );
    }
  });

  test('proofNodeIds is the deduplicated union, in first-seen order', () => {
    const ranges = [...inclusionProofRanges(5, 13), ...consistencyProofRanges(6, 13)];
    const ids = proofNodeIds(ranges);
    const keys = ids.map((id) => `${id.level}/${id.index}`);
    assert.equal(new Set(keys).size, keys.length);
    const all = ranges.flatMap(rangeNodeIds).map((id) => `${id.level}/${id.index}`);
    assert.deepEqual(keys, [...new Set(all)]);
    assert.ok(all.length > keys.length, 'these two proofs share nodes');
  });
});

describe('generation ↔ verification round trips, sizes ≤ 64', () => {
  const leaves = Array.from({ length: 64 }, (_, i) => leafHash(`leaf ${i}`));
  const tree = realTree(leaves);

  test('every (index, size): proof matches the RFC text and verifies; tampering fails', () => {
    let count = 0;
    for (let size = 1; size <= 64; size++) {
      const root = tree.root(size);
      const lookup = tree.lookupWithin(size);
      assert.deepEqual(rangeHash({ start: 0, end: size }, lookup), root);
      for (let index = 0; index < size; index++) {
        const proof = buildProof(inclusionProofRanges(index, size), lookup);
        assert.deepEqual(proof, referencePath(index, leaves.slice(0, size)), `${index}/${size}`);
        verifyInclusion(index, size, leaves[index]!, proof, root);
        assert.deepEqual(rootFromInclusionProof(index, size, leaves[index]!, proof), root);
        const fails = (fn: () => void) => assert.throws(fn, isProofError, `${index}/${size}`);
        fails(() => verifyInclusion(index, size, flipBit(leaves[index]!, index), proof, root));
        fails(() => verifyInclusion(index, size, leaves[index]!, proof, flipBit(root, size)));
        fails(() => verifyInclusion(index, size, leaves[index]!, [...proof, root], root));
        if (proof.length > 0) {
          fails(() => verifyInclusion(index, size, leaves[index]!, proof.slice(1), root));
          const bad = proof.map((h, i) => (i === index % proof.length ? flipBit(h, size) : h));
          fails(() => verifyInclusion(index, size, leaves[index]!, bad, root));
        }
        if (index + 1 < size)
          fails(() => verifyInclusion(index + 1, size, leaves[index]!, proof, root));
        count++;
      }
    }
    assert.equal(count, (64 * 65) / 2);
  });

  test('every (size1, size2): proof matches the RFC text and verifies; tampering fails', () => {
    let count = 0;
    for (let size2 = 1; size2 <= 64; size2++) {
      const root2 = tree.root(size2);
      const lookup = tree.lookupWithin(size2);
      for (let size1 = 1; size1 <= size2; size1++) {
        const root1 = tree.root(size1);
        const proof = buildProof(consistencyProofRanges(size1, size2), lookup);
        const ref = referenceSubproof(size1, leaves.slice(0, size2), true);
        assert.deepEqual(proof, ref, `${size1}→${size2}`);
        verifyConsistency(size1, size2, proof, root1, root2);
        const fails = (fn: () => void) => assert.throws(fn, isProofError, `${size1}→${size2}`);
        fails(() => verifyConsistency(size1, size2, proof, flipBit(root1, 3), root2));
        fails(() => verifyConsistency(size1, size2, proof, root1, flipBit(root2, 5)));
        fails(() => verifyConsistency(size1, size2, [...proof, root2], root1, root2));
        if (size1 < size2) fails(() => verifyConsistency(size2, size1, proof, root2, root1));
        if (proof.length > 0) {
          fails(() => verifyConsistency(size1, size2, proof.slice(0, -1), root1, root2));
          for (let i = 0; i < proof.length; i++) {
            const bad = proof.map((h, j) => (j === i ? flipBit(h, i) : h));
            fails(() => verifyConsistency(size1, size2, bad, root1, root2));
          }
        }
        count++;
      }
    }
    assert.equal(count, (64 * 65) / 2);
  });
});

describe('trees past 2^32 (virtual, never materialised)', () => {
  // Every leaf hashes to `plain` except a few `special` indexes, so a complete node without
  // special leaves has a per-level hash and the others take O(level) hashes to compute.
  const size = 2 ** 40 + 12345;
  const specials = [
    0,
    1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 33 + 6,
    2 ** 39 + 77,
    2 ** 40 - 1,
    2 ** 40,
    2 ** 40 + 5000,
    size - 2,
    size - 1,
    size,
    size + 1,
  ];
  const plain = leafHash('plain');
  const leafAt = (index: number) => (specials.includes(index) ? leafHash(`leaf ${index}`) : plain);
  const plainByLevel = [plain];
  for (let level = 1; level <= 53; level++) {
    plainByLevel.push(nodeHash(plainByLevel[level - 1]!, plainByLevel[level - 1]!));
  }
  const memo = new Map<string, Uint8Array>();
  const lookup = (id: NodeId): Uint8Array => {
    const width = 2 ** id.level;
    const start = id.index * width;
    if (id.level === 0) return leafAt(id.index);
    if (!specials.some((s) => s >= start && s < start + width)) return plainByLevel[id.level]!;
    const key = `${id.level}/${id.index}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      const left = lookup({ level: id.level - 1, index: id.index * 2 });
      hash = nodeHash(left, lookup({ level: id.level - 1, index: id.index * 2 + 1 }));
      memo.set(key, hash);
    }
    return hash;
  };
  const rootAt = (n: number) => rangeHash({ start: 0, end: n }, lookup);

  test('the root agrees with a MerkleFrontier restored at that size', () => {
    const frontier = MerkleFrontier.fromHashes(size, frontierNodeIds(size).map(lookup));
    assert.deepEqual(frontier.root(), rootAt(size));
    for (const node of frontier.append(leafAt(size))) assert.deepEqual(node.hash, lookup(node));
    assert.deepEqual(frontier.root(), rootAt(size + 1));
    frontier.append(leafAt(size + 1));
    assert.deepEqual(frontier.root(), rootAt(size + 2));
  });

  test('inclusion proofs for leaves beyond 2^32 generate and verify', () => {
    const root = rootAt(size);
    for (const index of specials.filter((s) => s < size)) {
      const ranges = inclusionProofRanges(index, size);
      assert.ok(ranges.length <= 41);
      const proof = buildProof(ranges, lookup);
      verifyInclusion(index, size, leafAt(index), proof, root);
      assert.throws(
        () => verifyInclusion(index, size, leafHash('other'), proof, root),
        (e) => isCoreError(e, 'INVALID_PROOF'),
      );
      // A 32-bit truncated index would address another leaf: the proof must not transfer.
      const truncated = index % 2 ** 32;
      if (truncated !== index) {
        assert.throws(
          () => verifyInclusion(truncated, size, leafAt(index), proof, root),
          (e) => isCoreError(e, 'INVALID_PROOF'),
        );
      }
    }
  });

  test('consistency proofs between sizes beyond 2^32 generate and verify', () => {
    const sizes = [
      1,
      7,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 33 + 7,
      2 ** 40,
      2 ** 40 + 5001,
      size - 1,
      size,
    ];
    for (const size1 of sizes) {
      for (const size2 of [size, size + 2]) {
        const ranges = consistencyProofRanges(size1, size2);
        const proof = buildProof(ranges, lookup);
        verifyConsistency(size1, size2, proof, rootAt(size1), rootAt(size2));
        if (proof.length > 0) {
          const bad = [...proof];
          bad[bad.length - 1] = flipBit(bad[bad.length - 1]!, 1);
          assert.throws(
            () => verifyConsistency(size1, size2, bad, rootAt(size1), rootAt(size2)),
            (e) => isCoreError(e, 'INVALID_PROOF'),
          );
        }
      }
    }
  });

  test('node ids of proofs are exact at these sizes', () => {
    const ids = proofNodeIds(inclusionProofRanges(2 ** 40 + 5000, size));
    for (const id of ids) {
      assert.ok(Number.isSafeInteger(id.index) && (id.index + 1) * 2 ** id.level <= size);
    }
    assert.deepEqual(ids[ids.length - 1], { level: 40, index: 0 });
  });
});

describe('argument validation', () => {
  const h = sha256('x');
  const invalidArgument = (e: unknown) => isCoreError(e, 'INVALID_ARGUMENT');

  test('inclusion: index ≥ size, negative, fractional or unsafe numbers', () => {
    const cases: [number, number][] = [
      [0, 0],
      [3, 3],
      [-1, 4],
      [0.5, 4],
      [0, 2 ** 53],
      [Number.NaN, 4],
      [0, Number.POSITIVE_INFINITY],
    ];
    for (const [index, size] of cases) {
      assert.throws(() => inclusionProofRanges(index, size), invalidArgument);
      assert.throws(() => verifyInclusion(index, size, h, [], h), invalidArgument);
    }
  });

  test('consistency: size1 > size2, size1 = 0, unsafe numbers', () => {
    const cases: [number, number][] = [
      [2, 1],
      [0, 0],
      [0, 5],
      [1, 2 ** 53],
      [-1, 1],
      [1.5, 2],
    ];
    for (const [size1, size2] of cases) {
      assert.throws(() => consistencyProofRanges(size1, size2), invalidArgument);
      assert.throws(() => verifyConsistency(size1, size2, [h], h, h), invalidArgument);
    }
  });

  test('hashes of the wrong length are an INVALID_PROOF', () => {
    const short = new Uint8Array(31);
    const fails = (e: unknown) => isCoreError(e, 'INVALID_PROOF');
    assert.throws(() => verifyInclusion(0, 1, short, [], short), fails);
    assert.throws(() => verifyInclusion(0, 2, h, [short], h), fails);
    assert.throws(() => verifyConsistency(1, 2, [short], h, h), fails);
  });
});
