import { CoreError } from './errors.js';
import { sha256, sha256PrefixedPair, sha256PrefixedText, sha256PrefixedTextInto } from './hash.js';

// RFC 9162 §2.1.1: domain separation between leaves and interior nodes.
export const RFC9162_LEAF_HASH_PREFIX = 0x00;
export const RFC9162_NODE_HASH_PREFIX = 0x01;

/** SHA-256 output size; every leaf, node and root hash has this length. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([RFC9162_LEAF_HASH_PREFIX]);

/** MTH({}) — RFC 9162 §2.1.1: the hash of the empty string. */
export const EMPTY_ROOT: Uint8Array = sha256();

/** MTH({d}) = SHA-256(0x00 ‖ d); a string is hashed as its UTF-8 bytes. */
export function leafHash(data: Uint8Array | string): Uint8Array {
  // A prefix below 0x80 is one UTF-8 byte, so text can be hashed without encoding it first.
  return typeof data === 'string'
    ? sha256PrefixedText(RFC9162_LEAF_HASH_PREFIX, data)
    : sha256(LEAF_PREFIX, data);
}

/** leafHash(text) written into `out` at `offset` (a request's leaves share one array). */
export function leafHashInto(text: string, out: Uint8Array, offset: number): void {
  sha256PrefixedTextInto(RFC9162_LEAF_HASH_PREFIX, text, out, offset);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256PrefixedPair(RFC9162_NODE_HASH_PREFIX, left, right);
}

/**
 * A complete subtree of height `level` covering leaves [index·2^level, (index+1)·2^level).
 * Level 0 is a leaf hash.
 */
export interface NodeId {
  level: number;
  index: number;
}

/** A complete node and its hash, as reported by MerkleFrontier.append. */
export interface MerkleNode extends NodeId {
  hash: Uint8Array;
}

// Tree numbers go up to 2^53 - 1, so powers of two are computed arithmetically:
// `1 << n`, `>>` and `&` would truncate to 32 bits.
const POW2: readonly number[] = Array.from({ length: 54 }, (_, i) => 2 ** i);

/** 2^level for 0 ≤ level ≤ 53. */
export function pow2(level: number): number {
  return POW2[level] ?? 2 ** level;
}

/** ⌊log2 n⌋ for a positive safe integer, corrected for floating-point rounding. */
export function floorLog2(n: number): number {
  let k = Math.floor(Math.log2(n));
  while (pow2(k) > n) k--;
  while (pow2(k + 1) <= n) k++;
  return k;
}

/** Throws INVALID_ARGUMENT unless `value` is a safe non-negative integer. */
export function assertTreeNumber(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CoreError('INVALID_ARGUMENT', `${what} must be a safe non-negative integer`);
  }
}

/** Number of complete subtrees decomposing [0, size): the population count of size. */
function frontierLength(size: number): number {
  let count = 0;
  for (let n = size; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}

/** The complete subtrees decomposing [0, size), left to right (largest first). */
export function frontierNodeIds(size: number): NodeId[] {
  assertTreeNumber(size, 'tree size');
  const ids: NodeId[] = [];
  let start = 0;
  while (start < size) {
    const level = floorLog2(size - start);
    const width = pow2(level);
    ids.push({ level, index: start / width });
    start += width;
  }
  return ids;
}

/**
 * MTH over a list of leaf hashes, literally as RFC 9162 §2.1.1 defines it (split at the
 * largest power of two below n). For tests and small sets; independent of MerkleFrontier.
 */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = pow2(floorLog2(leaves.length - 1));
  return nodeHash(rootFromLeafHashes(leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k)));
}

const NO_NODES: readonly MerkleNode[] = Object.freeze([]);

/**
 * The compact range for [0, size): one hash per complete subtree of frontierNodeIds(size).
 * Appending is a binary-counter carry: every trailing 1 bit of size merges one node.
 */
export class MerkleFrontier {
  #size: number;
  readonly #hashes: Uint8Array[];

  private constructor(size: number, hashes: Uint8Array[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Restores a frontier from the hashes of frontierNodeIds(size), in that order. */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): MerkleFrontier {
    assertTreeNumber(size, 'tree size');
    if (hashes.length !== frontierLength(size)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `a frontier of size ${size} has ${frontierLength(size)} hashes, got ${hashes.length}`,
      );
    }
    for (const hash of hashes) {
      if (hash.byteLength !== HASH_SIZE) {
        throw new CoreError('INVALID_ARGUMENT', `frontier hashes must be ${HASH_SIZE} bytes`);
      }
    }
    return new MerkleFrontier(size, [...hashes]);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash and returns every complete node of level ≥ 1 that it completes,
   * lowest first, so a store can persist them.
   */
  append(leaf: Uint8Array): readonly MerkleNode[] {
    if (leaf.byteLength !== HASH_SIZE) {
      throw new CoreError('INVALID_ARGUMENT', `leaf hashes must be ${HASH_SIZE} bytes`);
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new CoreError('INVALID_ARGUMENT', 'tree size would exceed 2^53 - 1');
    }
    const newSize = this.#size + 1;
    let completed: MerkleNode[] | undefined;
    let hash = leaf;
    let level = 0;
    for (let n = this.#size; n % 2 === 1; n = (n - 1) / 2) {
      hash = nodeHash(this.#hashes.pop()!, hash);
      level++;
      completed ??= [];
      completed.push({ level, index: newSize / pow2(level) - 1, hash });
    }
    this.#hashes.push(hash);
    this.#size = newSize;
    return completed ?? NO_NODES;
  }

  /**
   * Appends a complete subtree of height `level` (its root `hash`), as if its 2^level leaves
   * were appended one by one: the size must be a multiple of 2^level. Returns the complete
   * nodes above `level` that it completes, lowest first (the subtree's own nodes are the
   * caller's: it hashed them).
   */
  appendSubtree(level: number, hash: Uint8Array): readonly MerkleNode[] {
    if (hash.byteLength !== HASH_SIZE) {
      throw new CoreError('INVALID_ARGUMENT', `subtree hashes must be ${HASH_SIZE} bytes`);
    }
    if (!Number.isInteger(level) || level < 0 || level > 52) {
      throw new CoreError('INVALID_ARGUMENT', 'a subtree level must be an integer in [0, 52]');
    }
    const width = pow2(level);
    if (this.#size % width !== 0) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `a subtree of level ${level} cannot start at tree size ${this.#size}`,
      );
    }
    if (this.#size + width > Number.MAX_SAFE_INTEGER) {
      throw new CoreError('INVALID_ARGUMENT', 'tree size would exceed 2^53 - 1');
    }
    const newSize = this.#size + width;
    let completed: MerkleNode[] | undefined;
    let top = hash;
    let at = level;
    // The same binary-counter carry as append(), counted in subtrees of this width.
    for (let n = this.#size / width; n % 2 === 1; n = (n - 1) / 2) {
      top = nodeHash(this.#hashes.pop()!, top);
      at++;
      completed ??= [];
      completed.push({ level: at, index: newSize / pow2(at) - 1, hash: top });
    }
    this.#hashes.push(top);
    this.#size = newSize;
    return completed ?? NO_NODES;
  }

  /** MTH of the leaves so far; EMPTY_ROOT for size 0. */
  root(): Uint8Array {
    const hashes = this.#hashes;
    if (hashes.length === 0) return EMPTY_ROOT;
    let root = hashes[hashes.length - 1]!;
    for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i]!, root);
    return root;
  }

  /** The frontier hashes, in frontierNodeIds(size) order. */
  hashes(): Uint8Array[] {
    return [...this.#hashes];
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, [...this.#hashes]);
  }
}
