import { bytesEqual } from '../core/bytes.js';
import { MerkleFrontier, type MerkleNode, pow2 } from '../core/merkle.js';
import { alignedSubtrees, levelHash } from '../core/merkle-range.js';
import type { EntryPage } from './entry-page.js';
import { fail, ProblemFound } from './report.js';
import { storedNodeProblem } from './stored-nodes.js';

/** A signed checkpoint, reduced to what the tree is compared with. */
export interface SignedRoot {
  size: number;
  rootHash: Uint8Array;
}

/**
 * The in-order half of verifying a store: folds each page into the tree, compares the nodes
 * that straddle the page's first leaf with the stored ones (the page compared every node
 * wholly inside it), and the root with each signed checkpoint as the tree reaches its size.
 * A page arrives as complete subtrees (entry-page.ts), so this costs O(log n) hashes per page
 * and per checkpoint, not one per entry. Synchronous; pages must come in seq order.
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

  /**
   * Folds the page's passing leaves; throws ProblemFound at the first node or root that
   * differs, in the order appending the leaves one by one would meet them.
   */
  fold(page: EntryPage): void {
    if (page.from !== this.frontier.size) {
      throw new Error(`verify: page ${page.from} folded at tree size ${this.frontier.size}`);
    }
    const end = page.from + page.passed;
    while (this.frontier.size < end) {
      // Up to the next checkpoint inside the page, whose root needs the tree at its size.
      const cp = this.checkpoints[this.nextCheckpoint];
      const cut = cp !== undefined && cp.size <= end ? cp.size : end;
      for (const id of alignedSubtrees(this.frontier.size, cut)) {
        const completed = this.frontier.appendSubtree(
          id.level,
          levelHash(page.levels, page.from, id),
        );
        // A node appended with its last leaf fails before that leaf counts as checked.
        this.entriesChecked = this.frontier.size - 1;
        for (const node of completed) this.checkStraddling(node, page);
        this.entriesChecked = this.frontier.size;
      }
      if (cp !== undefined && cp.size === cut) this.checkRoot(cp);
    }
    this.nodesChecked += page.nodesChecked;
  }

  /** Nodes wholly inside the page were compared by the page; the rest are compared here. */
  private checkStraddling(node: MerkleNode, page: EntryPage): void {
    if (node.index * pow2(node.level) >= page.from) return;
    const problem = storedNodeProblem(
      node.level,
      node.index,
      node.hash,
      0,
      page.nodes[node.level - 1],
    );
    if (problem !== undefined) throw new ProblemFound(problem);
    this.nodesChecked++;
  }

  private checkRoot(cp: SignedRoot): void {
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
