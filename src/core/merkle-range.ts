import { floorLog2, HASH_SIZE, type NodeId, nodeHash, pow2 } from './merkle.js';

/**
 * Complete subtrees of a run of leaves that need nothing outside it: what a worker can hash
 * on its own for one page of a log, leaving only the nodes that straddle the page's edges
 * (O(log n) of them) to whoever folds the pages in order.
 */

/** Index of the first complete node of `level` whose leaves all lie at or after leaf `from`. */
export function firstNodeIndex(from: number, level: number): number {
  // Exact: dividing a safe integer by a power of two only moves the binary point.
  return Math.ceil(from / pow2(level));
}

/**
 * Every complete node whose leaves all lie in [from, from + count), level by level:
 * `levels[0]` is the leaf hashes themselves; `levels[m]` holds the nodes of level m with
 * indexes firstNodeIndex(from, m) … ⌊(from + count) / 2^m⌋ − 1, HASH_SIZE bytes each, in
 * order. Interior nodes are SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1).
 */
export function rangeLevels(from: number, leaves: Uint8Array, count: number): Uint8Array[] {
  const levels = [leaves.subarray(0, count * HASH_SIZE)];
  for (let level = 1; ; level++) {
    const first = firstNodeIndex(from, level);
    const end = Math.floor((from + count) / pow2(level));
    // No node of this level fits, so none of a higher one does either.
    if (end <= first) break;
    const below = levels[level - 1]!;
    const belowFirst = firstNodeIndex(from, level - 1);
    const out = new Uint8Array((end - first) * HASH_SIZE);
    for (let index = first; index < end; index++) {
      const left = (2 * index - belowFirst) * HASH_SIZE;
      const right = left + HASH_SIZE;
      out.set(
        nodeHash(below.subarray(left, right), below.subarray(right, right + HASH_SIZE)),
        (index - first) * HASH_SIZE,
      );
    }
    levels.push(out);
  }
  return levels;
}

/** The hash of node `id` in `levels` = rangeLevels(from, …): a view, not a copy. */
export function levelHash(levels: readonly Uint8Array[], from: number, id: NodeId): Uint8Array {
  const at = (id.index - firstNodeIndex(from, id.level)) * HASH_SIZE;
  return levels[id.level]!.subarray(at, at + HASH_SIZE);
}

/**
 * The largest complete subtrees that cover leaves [from, to), left to right. Appended in
 * this order (MerkleFrontier.appendSubtree) they build the same tree as the leaves one by one.
 */
export function alignedSubtrees(from: number, to: number): NodeId[] {
  const ids: NodeId[] = [];
  let at = from;
  while (at < to) {
    let level = floorLog2(to - at);
    while (at % pow2(level) !== 0) level--;
    ids.push({ level, index: at / pow2(level) });
    at += pow2(level);
  }
  return ids;
}
