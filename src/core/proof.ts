import { bytesEqual } from './bytes.js';
import { CoreError } from './errors.js';
import {
  assertTreeNumber,
  EMPTY_ROOT,
  floorLog2,
  HASH_SIZE,
  type NodeId,
  nodeHash,
  pow2,
} from './merkle.js';

/** Leaves [start, end) of a tree; its hash is MTH of those leaves. */
export interface LeafRange {
  start: number;
  end: number;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162 §2.1.1's k. */
function splitPoint(n: number): number {
  return pow2(floorLog2(n - 1));
}

function assertIndexInTree(index: number, size: number): void {
  assertTreeNumber(index, 'leaf index');
  assertTreeNumber(size, 'tree size');
  if (index >= size) {
    throw new CoreError('INVALID_ARGUMENT', `leaf index ${index} is not below tree size ${size}`);
  }
}

function assertConsistencySizes(size1: number, size2: number): void {
  assertTreeNumber(size1, 'size1');
  assertTreeNumber(size2, 'size2');
  if (size1 > size2) throw new CoreError('INVALID_ARGUMENT', `size1 ${size1} > size2 ${size2}`);
  // RFC 9162 §2.1.4 defines proofs for 0 < m; an empty tree is consistent with anything,
  // so callers (a witness with `old 0`) handle it without a proof.
  if (size1 === 0) throw new CoreError('INVALID_ARGUMENT', 'no consistency proof from size 0');
}

/** RFC 9162 §2.1.3.1 PATH(index, D[0:size]): the subtrees whose hashes form the proof. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  assertIndexInTree(index, size);
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      ranges.push({ start: mid, end: hi });
      hi = mid;
    } else {
      ranges.push({ start: lo, end: mid });
      lo = mid;
    }
  }
  return ranges.reverse(); // collected top-down; proofs run leaf to root
}

/** RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true). */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  assertConsistencySizes(size1, size2);
  const siblings: LeafRange[] = [];
  let lo = 0;
  let hi = size2;
  let whole = true; // SUBPROOF's b: is [lo, hi) still the whole old tree's prefix?
  while (size1 !== hi) {
    const mid = lo + splitPoint(hi - lo);
    if (size1 <= mid) {
      siblings.push({ start: mid, end: hi });
      hi = mid;
    } else {
      siblings.push({ start: lo, end: mid });
      lo = mid;
      whole = false;
    }
  }
  siblings.reverse();
  return whole ? siblings : [{ start: lo, end: hi }, ...siblings];
}

function assertRange(range: LeafRange): void {
  assertTreeNumber(range.start, 'range start');
  assertTreeNumber(range.end, 'range end');
  if (range.start > range.end) {
    throw new CoreError('INVALID_ARGUMENT', `range [${range.start}, ${range.end}) is reversed`);
  }
}

/**
 * The complete aligned subtrees covering a proof range, left to right. Proof ranges start
 * at a multiple of their largest subtree, so the greedy split is always aligned.
 */
export function rangeNodeIds(range: LeafRange): NodeId[] {
  assertRange(range);
  const ids: NodeId[] = [];
  let start = range.start;
  while (start < range.end) {
    const level = floorLog2(range.end - start);
    const width = pow2(level);
    if (start % width !== 0) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `range [${range.start}, ${range.end}) is not a proof subtree`,
      );
    }
    ids.push({ level, index: start / width });
    start += width;
  }
  return ids;
}

/** Every node the given ranges need, without duplicates, so a store fetches them at once. */
export function proofNodeIds(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Set<string>();
  const ids: NodeId[] = [];
  for (const range of ranges) {
    for (const id of rangeNodeIds(range)) {
      const key = `${id.level}/${id.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ids.push(id);
    }
  }
  return ids;
}

/** MTH of a range from its complete subtrees, folded right to left; EMPTY_ROOT if empty. */
export function rangeHash(range: LeafRange, lookup: (id: NodeId) => Uint8Array): Uint8Array {
  const ids = rangeNodeIds(range);
  if (ids.length === 0) return EMPTY_ROOT;
  let hash = lookup(ids[ids.length - 1]!);
  for (let i = ids.length - 2; i >= 0; i--) hash = nodeHash(lookup(ids[i]!), hash);
  return hash;
}

export function buildProof(
  ranges: readonly LeafRange[],
  lookup: (id: NodeId) => Uint8Array,
): Uint8Array[] {
  return ranges.map((range) => rangeHash(range, lookup));
}

function assertProofHashes(proof: readonly Uint8Array[]): void {
  for (const hash of proof) {
    if (hash.byteLength !== HASH_SIZE) {
      throw new CoreError('INVALID_PROOF', `proof hashes must be ${HASH_SIZE} bytes`);
    }
  }
}

/** RFC 9162 §2.1.3.2 steps 1–4: the root an inclusion proof commits to. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  assertIndexInTree(index, size);
  if (leafHash.byteLength !== HASH_SIZE) {
    throw new CoreError('INVALID_PROOF', `leaf hash must be ${HASH_SIZE} bytes`);
  }
  assertProofHashes(proof);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new CoreError('INVALID_PROOF', 'inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new CoreError('INVALID_PROOF', 'inclusion proof is too short');
  return r;
}

/** RFC 9162 §2.1.3.2: throws INVALID_PROOF unless `proof` puts the leaf in the tree `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!bytesEqual(computed, root)) {
    throw new CoreError('INVALID_PROOF', 'inclusion proof does not lead to the root');
  }
}

/** RFC 9162 §2.1.4.2: throws INVALID_PROOF unless tree root1 is a prefix of tree root2. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  assertConsistencySizes(size1, size2);
  if (size1 === size2) {
    if (proof.length !== 0) throw new CoreError('INVALID_PROOF', 'equal sizes need no proof');
    if (!bytesEqual(root1, root2)) throw new CoreError('INVALID_PROOF', 'roots differ');
    return;
  }
  // Step 1.
  if (proof.length === 0) throw new CoreError('INVALID_PROOF', 'consistency proof is empty');
  assertProofHashes(proof);
  // Step 2: a power-of-two old tree is itself a node of the new one, so its root starts the path.
  const hashes = pow2(floorLog2(size1)) === size1 ? [root1, ...proof] : proof;
  // Steps 3–4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  let fr = hashes[0]!;
  let sr = hashes[0]!;
  // Step 6.
  for (let i = 1; i < hashes.length; i++) {
    const c = hashes[i]!;
    if (sn === 0) throw new CoreError('INVALID_PROOF', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7.
  if (sn !== 0) throw new CoreError('INVALID_PROOF', 'consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw new CoreError('INVALID_PROOF', 'proof does not match root1');
  if (!bytesEqual(sr, root2)) throw new CoreError('INVALID_PROOF', 'proof does not match root2');
}
