import { HASH_SIZE, pow2 } from '../core/merkle.js';
import type { Store } from '../store/store.js';
import type { Problem } from './report.js';

/**
 * Stored nodes of one level, rows of `nodesAtLevel(level, first, …)` in order: `indexes[k]`
 * is the k-th row's index, its hash is `hashes[32k, 32k + 32)` when `whole[k]` is 1 (a hash
 * of any other length or type can never match, and has whole[k] = 0).
 */
export interface LevelNodes {
  level: number;
  first: number;
  indexes: Float64Array;
  hashes: Uint8Array;
  whole: Uint8Array;
}

/**
 * The stored nodes completed by appending leaves [from, end): at each level, indexes i with
 * from < (i + 1)·2^level ≤ end. Read as one range per level, so a missing row shows as an
 * index out of step, as in an ordered scan of the level. The levels the range completes a
 * node of are 1 … L with none missing between, so level m is element m − 1.
 */
export async function readStoredNodes(
  store: Store,
  from: number,
  end: number,
): Promise<LevelNodes[]> {
  const levels: LevelNodes[] = [];
  for (let level = 1; pow2(level) <= end; level++) {
    const width = pow2(level);
    const first = Math.floor(from / width);
    const count = Math.floor(end / width) - first;
    if (count <= 0) break;
    const rows = await store.nodesAtLevel(level, first, count);
    const indexes = new Float64Array(rows.length);
    const hashes = new Uint8Array(rows.length * HASH_SIZE);
    const whole = new Uint8Array(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      indexes[k] = row.index;
      if (row.hash instanceof Uint8Array && row.hash.byteLength === HASH_SIZE) {
        hashes.set(row.hash, k * HASH_SIZE);
        whole[k] = 1;
      }
    }
    levels.push({ level, first, indexes, hashes, whole });
  }
  return levels;
}

/**
 * What is wrong with the stored node (level, index), given the hash rebuilt from the entries
 * at `hashes[at, at + 32)`: missing, different, or nothing (undefined). Named at the node's
 * first leaf.
 */
export function storedNodeProblem(
  level: number,
  index: number,
  hashes: Uint8Array,
  at: number,
  stored: LevelNodes | undefined,
): Problem | undefined {
  const pos = stored === undefined ? -1 : index - stored.first;
  const firstLeaf = index * pow2(level);
  const name = `tree node level ${level} index ${index} (leaves ${firstLeaf}…)`;
  if (
    stored === undefined ||
    pos < 0 ||
    pos >= stored.indexes.length ||
    stored.indexes[pos] !== index
  ) {
    return { kind: 'node_missing', message: `${name} is missing from the store`, seq: firstLeaf };
  }
  if (stored.whole[pos] !== 1 || !sameHash(stored.hashes, pos * HASH_SIZE, hashes, at)) {
    return {
      kind: 'node_mismatch',
      message: `${name} differs from the tree rebuilt from the entries`,
      seq: firstLeaf,
    };
  }
  return undefined;
}

/** a[i, i + 32) equals b[j, j + 32), compared in place. */
function sameHash(a: Uint8Array, i: number, b: Uint8Array, j: number): boolean {
  for (let k = 0; k < HASH_SIZE; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}
