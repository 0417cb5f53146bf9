import { HASH_SIZE, pow2 } from '../core/merkle.js';
import { firstNodeIndex } from '../core/merkle-range.js';
import type { Store } from '../store/store.js';
import { PURGED_RECORD } from '../store/tables/retention/purged-payloads-table.js';
import { checkEntry } from './entry-check.js';
import { pageLevels } from './page-hash.js';
import type { PurgedRow } from './purge-check.js';
import { type Problem, ProblemFound } from './report.js';
import { type LevelNodes, readStoredNodes, storedNodeProblem } from './stored-nodes.js';

/**
 * Rows fetched per store query inside a page: a few hundred KiB die young, where a whole page
 * of rows at once outlives the young generation and costs a full garbage collection.
 */
const SCAN_ROWS = 1000;

/** Why a page ends before its last seq. */
export type PageStop =
  /** A row is missing at `from + passed`: the next stored one is `nextSeq`. */
  | { kind: 'gap'; nextSeq: number }
  /** The table ends at `from + passed`. */
  | { kind: 'end' }
  /** The row at `from + passed` fails its record checks. */
  | { kind: 'problem'; problem: Problem };

/**
 * Everything about entries [from, to) that can be checked without the rest of the log, for
 * the in-order fold (tree-check.ts). Plain typed arrays, so a worker thread can hand it over
 * without copying.
 */
export interface EntryPage {
  from: number;
  /**
   * Entries [from, from + passed) are there, dense, passed every record and column check,
   * and every stored node lying wholly among them matches the one rebuilt from them.
   */
  passed: number;
  /**
   * rangeLevels(from, their leaf hashes, …): `levels[0]` the stored leaf hashes, `levels[m]`
   * the complete nodes of level m whose leaves all lie in the page, rebuilt from them. May
   * reach past `from + passed` when a node there failed.
   */
  levels: Uint8Array[];
  /** Set when the page ends before `to`. */
  stop?: PageStop;
  /**
   * The stored nodes that leaves [from, from + passed) complete (readStoredNodes): the fold
   * compares those whose leaves begin before `from`, the rest were compared here.
   */
  nodes: LevelNodes[];
  /** Stored nodes compared here: every complete node wholly inside [from, from + passed). */
  nodesChecked: number;
  /** Entries among the passed ones whose payload is gone: verify-store checks each has a purge. */
  purged: PurgedRow[];
}

/**
 * Checks entries [from, to): each one present at its seq, its leaf recomputed from its text,
 * the text canonical, every indexed column equal to the record; then hashes every complete
 * subtree of the passing leaves and compares it with the stored node. Stops where the
 * sequential verifier would: at the first entry that fails, or earlier, at the first node
 * (by the leaf that completes it, then by level) that is missing or differs.
 */
export async function checkEntryPage(store: Store, from: number, to: number): Promise<EntryPage> {
  const leaves = new Uint8Array((to - from) * HASH_SIZE);
  let passed = 0;
  let stop: PageStop | undefined;
  const purged: PurgedRow[] = [];
  while (stop === undefined && from + passed < to) {
    const start = from + passed;
    const limit = Math.min(SCAN_ROWS, to - start);
    const rows = await firstPage(store.scanEntries(start, limit));
    for (const entry of rows) {
      const seq = from + passed;
      if (seq >= to) break;
      if (entry.seq !== seq) {
        stop = { kind: 'gap', nextSeq: entry.seq };
        break;
      }
      if (entry.record === PURGED_RECORD) {
        // Nothing to hash: the leaf hash joins the tree as stored, and the purge must be explained.
        // A stored hash of another length cannot be a leaf: named, not written over its neighbour.
        if (entry.leafHash.length !== HASH_SIZE) {
          stop = {
            kind: 'problem',
            problem: {
              kind: 'leaf_mismatch',
              message: `the purged entry's stored leaf hash is ${entry.leafHash.length} bytes, not ${HASH_SIZE}`,
              seq,
            },
          };
          break;
        }
        purged.push({
          seq,
          source: entry.source,
          receivedAtMs: entry.receivedAtMs,
          actorId: entry.actorId,
          targetId: entry.targetId,
        });
        leaves.set(entry.leafHash, passed * HASH_SIZE);
        passed++;
        continue;
      }
      try {
        checkEntry(entry);
      } catch (error) {
        if (!(error instanceof ProblemFound)) throw error;
        stop = { kind: 'problem', problem: error.problem };
        break;
      }
      leaves.set(entry.leafHash, passed * HASH_SIZE);
      passed++;
    }
    // Rows come in seq order from `start`: fewer than asked, all in place, is the table's end.
    if (stop === undefined && rows.length < limit) stop = { kind: 'end' };
  }
  const levels = pageLevels(from, leaves, passed);
  const nodes = await readStoredNodes(store, from, from + passed);
  const broken = firstNodeProblem(from, levels, nodes);
  if (broken !== undefined) {
    passed = broken.completedBy - from;
    stop = { kind: 'problem', problem: broken.problem };
  }
  const page: EntryPage = {
    from,
    passed,
    levels,
    nodes,
    nodesChecked: nodesInside(from, from + passed),
    purged: purged.filter((row) => row.seq < from + passed),
  };
  if (stop !== undefined) page.stop = stop;
  return page;
}

async function firstPage<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  for await (const page of pages) return page;
  return [];
}

/**
 * The first rebuilt node that its stored row contradicts, in the order the sequential
 * verifier meets them: by the leaf whose append completes it, then lowest level first.
 */
function firstNodeProblem(
  from: number,
  levels: readonly Uint8Array[],
  stored: readonly LevelNodes[],
): { completedBy: number; problem: Problem } | undefined {
  let first: { completedBy: number; problem: Problem } | undefined;
  for (let level = 1; level < levels.length; level++) {
    const start = firstNodeIndex(from, level);
    const count = levels[level]!.length / HASH_SIZE;
    for (let k = 0; k < count; k++) {
      const index = start + k;
      const completedBy = (index + 1) * pow2(level) - 1;
      // A lower level already failed at or before this leaf: it is met first.
      if (first !== undefined && completedBy >= first.completedBy) break;
      const problem = storedNodeProblem(
        level,
        index,
        levels[level]!,
        k * HASH_SIZE,
        stored[level - 1],
      );
      if (problem !== undefined) {
        first = { completedBy, problem };
        break;
      }
    }
  }
  return first;
}

/** Complete nodes of level ≥ 1 whose leaves all lie in [from, end). */
function nodesInside(from: number, end: number): number {
  let total = 0;
  for (let level = 1; pow2(level) <= end - from; level++) {
    total += Math.max(0, Math.floor(end / pow2(level)) - firstNodeIndex(from, level));
  }
  return total;
}
