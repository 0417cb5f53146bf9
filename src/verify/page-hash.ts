import { hash } from 'node:crypto';
import { HASH_SIZE, RFC9162_LEAF_HASH_PREFIX, RFC9162_NODE_HASH_PREFIX } from '../core/merkle.js';
import { firstNodeIndex } from '../core/merkle-range.js';

/**
 * The hashing of a verify page, without a Buffer per hash. crypto.hash with a 'buffer' output
 * gives every digest its own off-heap backing store, which the garbage collector then has to
 * track and free: two per entry (its leaf and about one interior node) cost more than the
 * SHA-256 itself. Asked for 'latin1', it answers the same 32 bytes as a 32-character string
 * on the V8 heap (one char per byte, RFC 9162 §2.1.1 hashes unchanged), which is copied or
 * compared in place and dies young. ('binary' is Node's name for latin1.)
 */

const LEAF_PREFIX = String.fromCharCode(RFC9162_LEAF_HASH_PREFIX);

/** MTH({d}) = SHA-256(0x00 ‖ UTF-8(text)), as a 32-character latin1 string. */
export function leafDigest(text: string): string {
  return hash('sha256', LEAF_PREFIX + text, 'binary');
}

/** `digest` (latin1) equals `bytes`, every byte, and `bytes` is a whole hash. */
export function digestEquals(digest: string, bytes: Uint8Array): boolean {
  if (bytes.length !== HASH_SIZE) return false;
  for (let k = 0; k < HASH_SIZE; k++) if (digest.charCodeAt(k) !== bytes[k]) return false;
  return true;
}

/** The bytes of a latin1 digest (for messages; the hot path compares in place). */
export function digestBytes(digest: string): Uint8Array {
  return Uint8Array.from(digest, (c) => c.charCodeAt(0));
}

const pair = Buffer.alloc(1 + 2 * HASH_SIZE);

/**
 * rangeLevels (core/merkle-range.ts) for one page: the same levels, byte for byte, each
 * interior node SHA-256(0x01 ‖ left ‖ right) written straight into its level.
 */
export function pageLevels(from: number, leaves: Uint8Array, count: number): Uint8Array[] {
  const levels = [leaves.subarray(0, count * HASH_SIZE)];
  pair[0] = RFC9162_NODE_HASH_PREFIX;
  for (let level = 1; ; level++) {
    const first = firstNodeIndex(from, level);
    const end = Math.floor((from + count) / 2 ** level);
    // No node of this level fits, so none of a higher one does either.
    if (end <= first) break;
    const below = levels[level - 1]!;
    const belowFirst = firstNodeIndex(from, level - 1);
    const out = new Uint8Array((end - first) * HASH_SIZE);
    for (let index = first; index < end; index++) {
      const left = (2 * index - belowFirst) * HASH_SIZE;
      pair.set(below.subarray(left, left + 2 * HASH_SIZE), 1);
      const digest = hash('sha256', pair, 'binary');
      const at = (index - first) * HASH_SIZE;
      for (let k = 0; k < HASH_SIZE; k++) out[at + k] = digest.charCodeAt(k);
    }
    levels.push(out);
  }
  return levels;
}
