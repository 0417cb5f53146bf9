import { HASH_SIZE, pow2 } from '../core/merkle.js';
import type { Store } from '../store/store.js';
import { PURGED_RECORD } from '../store/tables/retention/purged-payloads-table.js';
import { checkEntry } from './entry-check.js';
import type { PurgedRow } from './purge-check.js';
import { type Problem, ProblemFound } from './report.js';

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
 * The per-entry half of verifying [from, to): everything that can be checked of one entry on
 * its own. Plain typed arrays, so a worker thread can hand it over without copying.
 */
export interface EntryPage {
  from: number;
  /** Entries [from, from + passed) are there, dense, and passed every record and column check. */
  passed: number;
  /** Their stored leaf hashes, in seq order (HASH_SIZE bytes each). */
  leaves: Uint8Array;
  /** Set when the page ends before `to`. */
  stop?: PageStop;
  /** The stored tree nodes that appending those leaves completes, by level (1, 2, …). */
  nodes: LevelNodes[];
  /** Entries among the passed ones whose payload is gone: verify-store checks each has a purge. */
  purged: PurgedRow[];
}

/**
 * Checks entries [from, to): each one present at its seq, its leaf recomputed from its text,
 * the text canonical, every indexed column equal to the record. Stops at the first entry that
 * fails (the order the sequential verifier checks in), then reads the stored nodes the
 * passing leaves complete, for the tree check that folds pages in order (tree-check.ts).
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
  const page: EntryPage = {
    from,
    passed,
    leaves,
    nodes: await completedNodes(store, from, from + passed),
    purged,
  };
  if (stop !== undefined) page.stop = stop;
  return page;
}

async function firstPage<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  for await (const page of pages) return page;
  return [];
}

/**
 * The stored nodes completed by appending leaves [from, end): at each level, indexes i with
 * from < (i + 1)·2^level ≤ end. Read as one range per level, so a missing row shows as an
 * index out of step, as in an ordered scan of the level.
 */
async function completedNodes(store: Store, from: number, end: number): Promise<LevelNodes[]> {
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
