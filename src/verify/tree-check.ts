import { bytesEqual } from '../core/bytes.js';
import { HASH_SIZE, MerkleFrontier, type MerkleNode, pow2 } from '../core/merkle.js';
import type { EntryPage, LevelNodes } from './entry-page.js';
import { fail } from './report.js';

/** A signed checkpoint, reduced to what the tree is compared with. */
export interface SignedRoot {
  size: number;
  rootHash: Uint8Array;
}

/**
 * The in-order half of verifying a store: folds each page's checked leaves into the tree,
 * compares every node they complete with the stored one, and the root with each signed
 * checkpoint as the tree reaches its size. Synchronous; pages must come in seq order.
 */
export class TreeCheck {
  readonly frontier = MerkleFrontier.empty();
  entriesChecked = 0;
  nodesChecked = 0;
  private nextCheckpoint = 0;
  private previousCheckpoint = 0;

  constructor(private readonly checkpoints: readonly SignedRoot[]) {
    while (checkpoints[this.nextCheckpoint]?.size === 0) this.nextCheckpoint++;
  }

  /** Folds the page's passing leaves; throws ProblemFound at the first node or root that differs. */
  fold(page: EntryPage): void {
    if (page.from !== this.frontier.size) {
      throw new Error(`verify: page ${page.from} folded at tree size ${this.frontier.size}`);
    }
    const levels: (LevelNodes | undefined)[] = [];
    for (const nodes of page.nodes) levels[nodes.level] = nodes;
    for (let k = 0; k < page.passed; k++) {
      const leaf = page.leaves.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE);
      for (const node of this.frontier.append(leaf)) this.checkNode(node, levels[node.level]);
      this.entriesChecked++;
      const cp = this.checkpoints[this.nextCheckpoint];
      if (cp && cp.size === this.frontier.size) {
        if (!bytesEqual(this.frontier.root(), cp.rootHash)) {
          fail(
            'checkpoint_mismatch',
            `the signed checkpoint for tree size ${cp.size} does not match the entries: an entry between seq ${this.previousCheckpoint} and ${cp.size - 1} was changed, removed or reordered (the checkpoint for size ${this.previousCheckpoint} still matched)`,
            cp.size - 1,
          );
        }
        this.previousCheckpoint = cp.size;
        this.nextCheckpoint++;
      }
    }
  }

  private checkNode(node: MerkleNode, stored: LevelNodes | undefined): void {
    const pos = stored === undefined ? -1 : node.index - stored.first;
    if (
      stored === undefined ||
      pos >= stored.indexes.length ||
      stored.indexes[pos] !== node.index
    ) {
      const firstLeaf = node.index * pow2(node.level);
      fail(
        'node_missing',
        `${nodeName(node)} (leaves ${firstLeaf}…) is missing from the store`,
        firstLeaf,
      );
    }
    if (stored.whole[pos] !== 1 || !hashAt(stored.hashes, pos, node.hash)) {
      const firstLeaf = node.index * pow2(node.level);
      fail(
        'node_mismatch',
        `${nodeName(node)} (leaves ${firstLeaf}…) differs from the tree rebuilt from the entries`,
        firstLeaf,
      );
    }
    this.nodesChecked++;
  }
}

function nodeName(node: MerkleNode): string {
  return `tree node level ${node.level} index ${node.index}`;
}

/** hashes[32·pos, 32·pos + 32) equals `hash`, compared in place. */
function hashAt(hashes: Uint8Array, pos: number, hash: Uint8Array): boolean {
  if (hash.byteLength !== HASH_SIZE) return false;
  const base = pos * HASH_SIZE;
  for (let i = 0; i < HASH_SIZE; i++) if (hashes[base + i] !== hash[i]) return false;
  return true;
}
