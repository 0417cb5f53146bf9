import { availableParallelism } from 'node:os';
import { toBase64 } from '../core/bytes.js';
import {
  LOG_KEY_ROTATE_ACTION,
  type LogKeyPeriod,
  rotationRecordProblem,
  startKeyHistory,
} from '../core/key-history.js';
import { pow2 } from '../core/merkle.js';
import { formatVerifierKey, parseVerifierKey } from '../core/note.js';
import { META_VERIFIER_KEY } from '../log/init-log.js';
import { SELF_SOURCE } from '../log/self-source.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import { HOLD_PLACE_ACTION, HOLD_RELEASE_ACTION } from '../retention/hold-service.js';
import { POLICY_SET_ACTION } from '../retention/policy-change.js';
import { PURGE_ACTION } from '../retention/purge-event.js';
import type { StoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { type CheckpointRow, firstCheckpointProblem } from './checkpoint-check.js';
import { checkEntryPage } from './entry-page.js';
import { foldPagesInOrder } from './ordered-pages.js';
import { PagePool } from './page-pool.js';
import { checkPurges, type RetentionEvent } from './purge-check.js';
import { PurgedLedger } from './purged-ledger.js';
import { fail, type Problem, ProblemFound, type VerifyReport } from './report.js';
import { TreeCheck } from './tree-check.js';

/** Entries per page: the unit handed to a worker thread and folded into the tree. */
const PAGE = 10_000;
/** Checkpoints per signature-checking request to a worker thread. */
const SIGNATURE_SLICE = 2_000;
/** Below this, starting worker threads (and their store handles) costs more than it saves. */
const MIN_PARALLEL_ENTRIES = 50_000;
/** Past this the in-order tree fold on this thread, not the checks, limits the rate. */
const MAX_THREADS = 4;

export interface VerifyStoreOptions {
  /**
   * Pin a verifier key of the log (any of its keys: the handovers in the log chain the rest);
   * default: the keys recorded in the store.
   */
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
  /**
   * Purged entries held in memory until their purge events are proven (default 10,000);
   * beyond, they wait in a temp file (PurgedLedger), so memory stays bounded.
   */
  purgedInMemory?: number;
  /** Told the ledger once the explanation check is done (tests assert its bound). */
  onPurgedLedger?: (ledger: PurgedLedger) => void;
}

/**
 * Offline verification of a whole store (`evident verify --data`): every leaf recomputed
 * from its record, every indexed column checked against the record, the tree rebuilt and
 * compared with EVERY signed checkpoint and every stored node. Each checkpoint must be signed
 * by the key its size falls to in the key history (both keys at a handover), and the history
 * must match the rotation events in the log. Stops at the first problem: the first the checks
 * meet in seq order, however many pages are checked in parallel.
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
  let pool: PagePool | undefined;
  let purged: PurgedLedger | undefined;
  try {
    const history = await keyHistory(store, options.verifierKey, report);
    const checkpoints = await readCheckpoints(store);
    const latest = checkpoints.at(-1);
    const threads = threadCount(options, latest?.size ?? 0);
    if (threads > 0) pool = PagePool.start(options.location!, threads);
    // Problems are named in this order: signatures, key history, extra rows, then the entries
    // in seq order, then what needs them all. The signatures (one Ed25519 check per batch the
    // log committed: tens of thousands) and the row counts run on the worker threads while
    // the entries are checked; each earlier verdict is awaited before a later one is named.
    const signatures = checkSignatures(checkpoints, history, pool);
    const counts = pool ? pool.counts() : store.counts();
    // Awaited below, in order; meanwhile a rejection must not count as unhandled.
    signatures.catch(() => undefined);
    counts.catch(() => undefined);
    const stop = { early: false };
    const tree = new TreeCheck(checkpoints);
    purged = new PurgedLedger(options.purgedInMemory);
    const entries = latest
      ? settle(checkEntries(store, latest.size, tree, report, options, purged, pool, stop))
      : Promise.resolve(undefined);
    let entriesNamed = false;
    try {
      const badSignature = await signatures;
      if (badSignature !== undefined) {
        report.checkpointsChecked = badSignature.index;
        throw new ProblemFound(badSignature.problem);
      }
      report.checkpointsChecked = checkpoints.length;
      checkHandovers(checkpoints, history);
      if (!latest) fail('checkpoint_invalid', 'the store has no signed checkpoint');
      report.treeSize = latest.size;
      report.rootHash = toBase64(latest.rootHash);
      report.checkpoint = latest.note + (await store.cosignatures(latest.size)).join('');

      // A server may be appending while we read: entries and checkpoints past `latest` are
      // then new batches, not extra rows. The checks below stop at `latest`.
      const { entries: rows, nodes, maxSeq } = await counts;
      const live = ((await store.head())?.size ?? 0) > latest.size;
      if (!live && (maxSeq >= latest.size || rows > latest.size)) {
        fail(
          'entry_extra',
          `the store holds ${rows} entries (highest seq ${maxSeq}) but the latest signed checkpoint covers ${latest.size}`,
          maxSeq,
        );
      }
      entriesNamed = true;
      const failed = await entries;
      if (failed !== undefined) throw failed;
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
      if (!live && nodes !== expectedNodes) {
        fail(
          'node_extra',
          `the store holds ${nodes} tree nodes; a tree of ${latest.size} has ${expectedNodes}`,
        );
      }
    } catch (error) {
      if (!entriesNamed) {
        // Named before the entries: stop checking them, and report none as checked.
        stop.early = true;
        await entries;
        report.entriesChecked = 0;
      }
      throw error;
    }
    // The entries are proven now, so the log's own rotation events can vouch for the history.
    await checkRotationEvents(store, history, latest.size);
    // Likewise its retention events explain every missing payload.
    report.purged = await checkPurges(purged.rows(), await retentionEvents(store, latest.size));
    options.onPurgedLedger?.(purged);
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  } finally {
    purged?.close();
    await pool?.close().catch(() => undefined);
  }
  return report;
}

/** What a promise threw, or undefined once it resolves: awaited later, in verdict order. */
async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The key history to check the checkpoints with: the store's (a log made before rotation
 * existed has one key). A pinned key must be one of its keys; a store without any recorded
 * key is checked against the pinned key alone.
 */
async function keyHistory(
  store: Store,
  pinnedKey: string | undefined,
  report: VerifyReport,
): Promise<LogKeyPeriod[]> {
  let pinned: string | undefined;
  if (pinnedKey !== undefined) {
    try {
      const verifier = parseVerifierKey(pinnedKey);
      pinned = formatVerifierKey(verifier.name, verifier.publicKey);
    } catch (error) {
      fail('bad_verifier_key', `the verifier key does not parse: ${(error as Error).message}`);
    }
  }
  if ((await store.getMeta(META_VERIFIER_KEY)) === undefined) {
    if (pinned === undefined)
      fail('bad_verifier_key', 'the store records no verifier key; pass one with --key');
    report.trust = 'the pinned key (the store records none)';
    return startKeyHistory(pinned, 0);
  }
  let history: LogKeyPeriod[];
  try {
    history = await readKeyHistory(store);
  } catch (error) {
    fail('key_history', `the store's key history is unusable: ${(error as Error).message}`);
  }
  const ids = history.map((p) => p.keyId).join(', ');
  if (pinned === undefined) {
    report.trust = `the key(s) the store records (${ids})`;
  } else {
    const anchor = history.find((p) => p.verifierKey === pinned);
    if (!anchor) {
      fail(
        'checkpoint_invalid',
        `the log's checkpoints are signed by key(s) ${ids}; the pinned key ${pinned.split('+')[1]} is not one of them`,
      );
    }
    report.trust =
      history.length === 1
        ? `the pinned key ${anchor.keyId}`
        : `the pinned key ${anchor.keyId}, chained to key(s) ${ids} by the handover checkpoints and rotation events`;
  }
  return history;
}

/** Every stored checkpoint, in size order, as stored (checkSignatures vouches for them). */
async function readCheckpoints(store: Store): Promise<CheckpointRow[]> {
  const all: CheckpointRow[] = [];
  for await (const page of store.scanCheckpoints(PAGE)) {
    for (const row of page) all.push({ size: row.size, rootHash: row.rootHash, note: row.note });
  }
  return all;
}

/**
 * The first checkpoint not validly signed by the log key for its size, or not matching its
 * row: on the worker threads in slices when there are any, else here.
 */
async function checkSignatures(
  checkpoints: readonly CheckpointRow[],
  history: readonly LogKeyPeriod[],
  pool: PagePool | undefined,
): Promise<{ index: number; problem: Problem } | undefined> {
  if (!pool) return firstCheckpointProblem(checkpoints, history);
  const slices: Promise<{ index: number; problem: Problem } | undefined>[] = [];
  for (let from = 0; from < checkpoints.length; from += SIGNATURE_SLICE) {
    const slice = checkpoints.slice(from, from + SIGNATURE_SLICE);
    slices.push(
      pool
        .checkCheckpoints(slice, history)
        .then((found) =>
          found ? { index: from + found.index, problem: found.problem } : undefined,
        ),
    );
  }
  return (await Promise.all(slices)).find((found) => found !== undefined);
}

/** Every later key needs its handover checkpoint (checkSignatures checked it for both keys). */
function checkHandovers(
  checkpoints: readonly CheckpointRow[],
  history: readonly LogKeyPeriod[],
): void {
  const sizes = new Set(checkpoints.map((c) => c.size));
  const latest = checkpoints.at(-1)?.size ?? 0;
  for (const p of history.slice(1)) {
    if (!sizes.has(p.fromSize)) {
      fail(
        'key_history',
        p.fromSize > latest
          ? `the key history hands over to key ${p.keyId} at tree size ${p.fromSize}, past the latest checkpoint (${latest})`
          : `no handover checkpoint at tree size ${p.fromSize}, where the key history hands over to key ${p.keyId}`,
      );
    }
  }
}

/**
 * The entry just before each handover is the rotation event naming both keys, and the log
 * holds no other rotation event: the key history is exactly what the log itself recorded.
 */
async function checkRotationEvents(
  store: Store,
  history: readonly LogKeyPeriod[],
  size: number,
): Promise<void> {
  for (const [i, p] of history.entries()) {
    if (i === 0) continue;
    const seq = p.fromSize - 1;
    const entry = await store.entryBySeq(seq);
    const problem = entry
      ? rotationRecordProblem(JSON.parse(entry.record), SELF_SOURCE, history[i - 1]!, p)
      : 'it is missing';
    if (problem)
      fail('key_history', `entry ${seq} should hand over to key ${p.keyId}, but ${problem}`, seq);
  }
  const events = await store.search({
    source: SELF_SOURCE,
    action: LOG_KEY_ROTATE_ACTION,
    toSeq: size,
    limit: history.length + 1,
  });
  if (events.length !== history.length - 1) {
    fail(
      'key_history',
      `the log holds ${events.length} key rotation event(s), but its key history lists ${history.length - 1} handover(s)`,
    );
  }
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
  purged: PurgedLedger,
  pool: PagePool | undefined,
  stop: { early: boolean },
): Promise<void> {
  const check = pool
    ? (from: number, to: number) => pool.check(from, to)
    : (from: number, to: number) => checkEntryPage(store, from, to);
  await foldPagesInOrder({
    size,
    pageSize: options.pageSize ?? PAGE,
    ahead: pool ? pool.size * 2 : 1,
    check,
    fold: (page) => {
      if (stop.early) return true;
      try {
        tree.fold(page);
      } finally {
        report.entriesChecked = tree.entriesChecked;
      }
      for (const row of page.purged) purged.add(row);
      const end = page.stop;
      if (end?.kind === 'problem') throw new ProblemFound(end.problem);
      if (end?.kind === 'gap') {
        const seq = page.from + page.passed;
        fail(
          'entry_missing',
          `entry ${seq} is missing (the next stored entry is ${end.nextSeq}): a row was deleted`,
          seq,
        );
      }
      options.onProgress?.(report.entriesChecked, size);
      return end?.kind === 'end';
    },
  });
}

/** The log's retention.purge, retention.policy.set and legal_hold events below `size`, proven by the tree. */
async function retentionEvents(store: Store, size: number): Promise<RetentionEvent[]> {
  const out: RetentionEvent[] = [];
  for (const action of [PURGE_ACTION, POLICY_SET_ACTION, HOLD_PLACE_ACTION, HOLD_RELEASE_ACTION]) {
    let toSeq = size;
    for (;;) {
      const page = await store.search({ source: SELF_SOURCE, action, toSeq, limit: 1000 });
      for (const entry of page) {
        const record = JSON.parse(entry.record) as { details?: unknown };
        out.push({
          seq: entry.seq,
          action,
          receivedAtMs: entry.receivedAtMs,
          details: record.details,
        });
      }
      if (page.length < 1000) break;
      toSeq = page[page.length - 1]!.seq;
    }
  }
  return out;
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
