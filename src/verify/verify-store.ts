import { availableParallelism } from 'node:os';
import { bytesEqual, toBase64 } from '../core/bytes.js';
import { openCheckpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { pow2 } from '../core/merkle.js';
import { type NoteVerifier, parseVerifierKey } from '../core/note.js';
import type { StoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { checkEntryPage, type EntryPage } from './entry-page.js';
import { PagePool } from './page-pool.js';
import { fail, ProblemFound, type VerifyReport } from './report.js';
import { TreeCheck } from './tree-check.js';

/** Entries per page: the unit handed to a worker thread and folded into the tree. */
const PAGE = 10_000;
/** Below this, starting worker threads (and their store handles) costs more than it saves. */
const MIN_PARALLEL_ENTRIES = 50_000;
/** Past this the in-order tree fold on this thread, not the checks, limits the rate. */
const MAX_THREADS = 4;

export interface VerifyStoreOptions {
  /** Pin the log's verifier key; default: the key recorded in the store. */
  verifierKey?: string;
  onProgress?: (checked: number, total: number) => void;
  /**
   * Where `store` lives. With it, worker threads check pages in parallel, each reading its
   * rows through its own read-only handle (reading rows costs as much as checking them, so
   * it has to be spread too). Without it, every page is checked on this thread.
   */
  location?: StoreLocation;
  /**
   * Worker threads, with `location`. Default: one per core (at most 4) when the log is big
   * enough to repay starting them; 0: check on this thread.
   */
  threads?: number;
  /** Entries per page (default 10,000). */
  pageSize?: number;
}

/**
 * Offline verification of a whole store (`evident verify --data`): every leaf recomputed
 * from its record, every indexed column checked against the record, the tree rebuilt and
 * compared with EVERY signed checkpoint and every stored node. Stops at the first problem:
 * the first the checks meet in seq order, however many pages are checked in parallel.
 */
export async function verifyStore(
  store: Store,
  options: VerifyStoreOptions = {},
): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    treeSize: 0,
    entriesChecked: 0,
    checkpointsChecked: 0,
    nodesChecked: 0,
    problems: [],
  };
  try {
    const keyText = options.verifierKey ?? (await store.getMeta('verifier_key'));
    if (keyText === undefined)
      fail('bad_verifier_key', 'the store records no verifier key; pass one with --key');
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(keyText);
    } catch (error) {
      fail('bad_verifier_key', `the verifier key does not parse: ${(error as Error).message}`);
    }

    const checkpoints = await loadCheckpoints(store, verifier, report);
    const latest = checkpoints.at(-1);
    if (!latest) fail('checkpoint_invalid', 'the store has no signed checkpoint');
    report.treeSize = latest.size;
    report.rootHash = toBase64(latest.rootHash);

    // A server may be appending while we read: entries and checkpoints past `latest` are
    // then new batches, not extra rows. The checks below stop at `latest`.
    const counts = await store.counts();
    const live = ((await store.head())?.size ?? 0) > latest.size;
    if (!live && (counts.maxSeq >= latest.size || counts.entries > latest.size)) {
      fail(
        'entry_extra',
        `the store holds ${counts.entries} entries (highest seq ${counts.maxSeq}) but the latest signed checkpoint covers ${latest.size}`,
        counts.maxSeq,
      );
    }
    const tree = new TreeCheck(checkpoints);
    await checkEntries(store, latest.size, tree, report, options);
    options.onProgress?.(report.entriesChecked, latest.size);
    if (tree.frontier.size < latest.size) {
      fail(
        'entry_missing',
        `the log ends at ${tree.frontier.size} entries but the latest signed checkpoint covers ${latest.size}: entries were truncated`,
        tree.frontier.size,
      );
    }
    report.nodesChecked = tree.nodesChecked;
    const expectedNodes = completeNodeCount(latest.size);
    if (!live && counts.nodes !== expectedNodes) {
      fail(
        'node_extra',
        `the store holds ${counts.nodes} tree nodes; a tree of ${latest.size} has ${expectedNodes}`,
      );
    }
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  }
  return report;
}

async function loadCheckpoints(
  store: Store,
  verifier: NoteVerifier,
  report: VerifyReport,
): Promise<{ size: number; rootHash: Uint8Array }[]> {
  const all: { size: number; rootHash: Uint8Array }[] = [];
  for await (const page of store.scanCheckpoints(PAGE)) {
    for (const row of page) {
      let parsed: ReturnType<typeof openCheckpoint>;
      try {
        parsed = openCheckpoint(row.note, [verifier]);
      } catch (error) {
        const why = error instanceof CoreError ? error.code : 'error';
        fail(
          'checkpoint_invalid',
          `the checkpoint for tree size ${row.size} is not validly signed by ${verifier.name} (${why})`,
        );
      }
      if (parsed.size !== row.size || !bytesEqual(parsed.rootHash, row.rootHash)) {
        fail(
          'checkpoint_invalid',
          `the checkpoint row for size ${row.size} does not match its signed note`,
        );
      }
      all.push({ size: parsed.size, rootHash: parsed.rootHash });
      report.checkpointsChecked++;
    }
  }
  return all;
}

/**
 * Checks entries [0, size) page by page and folds them into `tree`. Pages are checked ahead
 * (in parallel, with worker threads) but folded strictly in seq order, and each page stops at
 * its first failing entry, so the problem raised is the first one the sequential order of
 * checks meets. Returns early if the entries end before `size`.
 */
async function checkEntries(
  store: Store,
  size: number,
  tree: TreeCheck,
  report: VerifyReport,
  options: VerifyStoreOptions,
): Promise<void> {
  const threads = threadCount(options, size);
  const pool = threads > 0 ? PagePool.start(options.location!, threads) : undefined;
  const check = pool
    ? (from: number, to: number) => pool.check(from, to)
    : (from: number, to: number) => checkEntryPage(store, from, to);
  const pageSize = options.pageSize ?? PAGE;
  const pending: Promise<EntryPage>[] = [];
  let requested = 0;
  const request = () => {
    if (requested >= size) return;
    const to = Math.min(requested + pageSize, size);
    const page = check(requested, to);
    // Awaited in order below; a page requested past the first problem may fail unobserved.
    page.catch(() => undefined);
    pending.push(page);
    requested = to;
  };
  try {
    for (let i = 0; i < (pool ? threads * 2 : 1); i++) request();
    for (let page = await pending.shift(); page; page = await pending.shift()) {
      try {
        tree.fold(page);
      } finally {
        report.entriesChecked = tree.entriesChecked;
      }
      const stop = page.stop;
      if (stop?.kind === 'problem') throw new ProblemFound(stop.problem);
      if (stop?.kind === 'gap') {
        const seq = page.from + page.passed;
        fail(
          'entry_missing',
          `entry ${seq} is missing (the next stored entry is ${stop.nextSeq}): a row was deleted`,
          seq,
        );
      }
      options.onProgress?.(report.entriesChecked, size);
      if (stop?.kind === 'end') return;
      request();
    }
  } finally {
    await pool?.close().catch(() => undefined);
  }
}

/** Number of complete subtrees of level ≥ 1 in a tree of `size` leaves. */
export function completeNodeCount(size: number): number {
  let total = 0;
  for (let level = 1; pow2(level) <= size; level++) total += Math.floor(size / pow2(level));
  return total;
}

function threadCount(options: VerifyStoreOptions, entries: number): number {
  if (options.location === undefined) return 0;
  if (options.threads !== undefined) return Math.max(0, Math.floor(options.threads));
  if (entries < MIN_PARALLEL_ENTRIES) return 0;
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, MAX_THREADS);
}
