import { availableParallelism } from 'node:os';
import type { ApiClient } from '../client/api-client.js';
import { bytesEqual, toBase64 } from '../core/bytes.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { rotationRecordProblem } from '../core/key-history.js';
import { MerkleFrontier } from '../core/merkle.js';
import { alignedSubtrees, levelHash } from '../core/merkle-range.js';
import { parseVerifierKey } from '../core/note.js';
import { SELF_SOURCE } from '../log/self-source.js';
import {
  describeTrust,
  fetchTrustedLogKeys,
  openTrustedCheckpoint,
  type TrustedLogKeys,
} from './log-keys.js';
import { foldPagesInOrder } from './ordered-pages.js';
import { PagePool, type RemoteConnection } from './page-pool.js';
import { checkPurges, type RetentionEvent } from './purge-check.js';
import { PurgedLedger } from './purged-ledger.js';
import { checkRemotePage, isRotationEvent, type RemotePage } from './remote-page.js';
import { fail, ProblemFound, type VerifyReport } from './report.js';

/** Entries per request: the server's page limit (GET /api/v1/log/entries, docs/api.md). */
const PAGE = 1000;
/**
 * Pages requested at once. Each page read is an audited read on the server (a durable
 * event), so pages asked for together share its group commits instead of waiting in turn.
 */
const AHEAD = 8;
/** Below this, starting worker threads costs more than it saves. */
const MIN_PARALLEL_ENTRIES = 50_000;
const MAX_THREADS = 4;

interface LogInfo {
  origin: string;
  verifier_key: string;
  tree_size: number;
  checkpoint: string;
}

export interface VerifyRemoteOptions {
  /**
   * Pin a verifier key of the log (recommended): the current one, or an older one from which
   * the handover checkpoints lead to the current key. Default: trust the key the server states.
   */
  verifierKey?: string;
  onProgress?: (checked: number, total: number) => void;
  /**
   * The server and token `client` uses. With it, worker threads fetch and check pages in
   * parallel, each with its own client. Without it, every page is checked on this thread
   * (still several requests in flight).
   */
  connection?: RemoteConnection;
  /**
   * Worker threads, with `connection`. Default: one per core (at most 4) when the log is big
   * enough to repay starting them; 0: check on this thread.
   */
  threads?: number;
  /** Pages requested at once (default 8); 1 asks for each page after the one before. */
  ahead?: number;
  /** Purged entries held in memory before the rest wait in a temp file (PurgedLedger). */
  purgedInMemory?: number;
}

/** What the in-order fold collects for the explanation check run once the tree is proven. */
interface RetentionSeen {
  purged: PurgedLedger;
  events: RetentionEvent[];
}

/**
 * Verifies a running log through its public API only: the key history (chained from the
 * pinned key through the handover checkpoints), the signed checkpoint, then every entry
 * re-canonicalised (generic RFC 8785, not our own fast path) and re-hashed into a tree whose
 * root must equal the checkpoint's and, at each handover, the handover checkpoint's. The
 * rotation events in the tree must be exactly the handovers the key history lists. Pages are
 * fetched and checked ahead (remote-page.ts, with worker threads given `connection`) and
 * folded into the tree in seq order, so the problem reported is the first in seq order.
 */
export async function verifyRemote(
  client: ApiClient,
  options: VerifyRemoteOptions = {},
): Promise<VerifyReport & { pinned: boolean }> {
  const report: VerifyReport & { pinned: boolean } = {
    ok: false,
    treeSize: 0,
    entriesChecked: 0,
    checkpointsChecked: 0,
    nodesChecked: 0,
    problems: [],
    pinned: options.verifierKey !== undefined,
  };
  let retention: RetentionSeen | undefined;
  try {
    if (options.verifierKey !== undefined) {
      try {
        parseVerifierKey(options.verifierKey);
      } catch (error) {
        fail('bad_verifier_key', `the verifier key does not parse: ${(error as Error).message}`);
      }
    }
    const info = await client.getJson<LogInfo>('/api/v1/log');
    let trusted: TrustedLogKeys;
    try {
      trusted = await fetchTrustedLogKeys(client, info.origin, options.verifierKey);
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      const signatures = error.code === 'UNKNOWN_KEY' || error.code === 'INVALID_SIGNATURE';
      fail(
        signatures ? 'checkpoint_invalid' : 'key_history',
        `the server's key list does not hold: ${error.message}`,
      );
    }
    report.trust = describeTrust(trusted);
    let checkpoint: Checkpoint;
    try {
      checkpoint = openTrustedCheckpoint(info.checkpoint, trusted);
    } catch (error) {
      const why = error instanceof CoreError ? `${error.code}: ${error.message}` : 'error';
      fail('checkpoint_invalid', `the server's checkpoint is not validly signed (${why})`);
    }
    report.checkpointsChecked = 1 + trusted.handovers.size;
    report.treeSize = checkpoint.size;
    report.rootHash = toBase64(checkpoint.rootHash);
    report.checkpoint = info.checkpoint;

    const rotations = new RotationCheck(trusted, checkpoint.size);
    const frontier = MerkleFrontier.empty();
    retention = { purged: new PurgedLedger(options.purgedInMemory), events: [] };
    await checkEntries(client, checkpoint.size, frontier, rotations, report, options, retention);
    if (!bytesEqual(frontier.root(), checkpoint.rootHash)) {
      fail(
        'checkpoint_mismatch',
        `the entries do not build the tree the signed checkpoint (size ${checkpoint.size}) commits to`,
      );
    }
    rotations.finish();
    // Retention's events, now proven by the tree, explain every missing payload.
    report.purged = await checkPurges(retention.purged.rows(), retention.events);
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  } finally {
    retention?.purged.close();
  }
  return report;
}

/**
 * Fetches and checks entries [0, size) page by page and folds their leaves into `frontier`
 * in seq order, with the rotation checks that need the tree as it grows.
 */
async function checkEntries(
  client: ApiClient,
  size: number,
  frontier: MerkleFrontier,
  rotations: RotationCheck,
  report: VerifyReport,
  options: VerifyRemoteOptions,
  retention: RetentionSeen,
): Promise<void> {
  const watched = rotations.watchedSeqs();
  const threads = threadCount(options, size);
  const pool =
    threads > 0 ? PagePool.startRemote(options.connection!, watched, threads) : undefined;
  const watchedSet = new Set(watched);
  const check = pool
    ? (from: number, to: number) => pool.check(from, to)
    : (from: number, to: number) => checkRemotePage(client, from, to, watchedSet);
  try {
    await foldPagesInOrder<RemotePage>({
      size,
      pageSize: PAGE,
      ahead: options.ahead ?? AHEAD,
      check,
      fold: (page) => {
        for (const row of page.purged) retention.purged.add(row);
        for (const event of page.retention) retention.events.push(event);
        foldLeaves(page, frontier, rotations, report);
        if (page.stop?.kind === 'problem') throw new ProblemFound(page.stop.problem);
        if (page.stop?.kind === 'empty') {
          fail(
            'entry_missing',
            `the server returned no entries from ${frontier.size} (checkpoint covers ${size})`,
            frontier.size,
          );
        }
        options.onProgress?.(report.entriesChecked, size);
        return false;
      },
    });
  } finally {
    await pool?.close().catch(() => undefined);
  }
}

/**
 * Appends the page's passing leaves to `frontier` as whole subtrees (the page hashed them),
 * cut where the in-order checks need the tree: before each record they read, and at each
 * handover size. Problems come out as appending leaf by leaf would meet them: a record before
 * its own leaf, a root once its last leaf is in.
 */
function foldLeaves(
  page: RemotePage,
  frontier: MerkleFrontier,
  rotations: RotationCheck,
  report: VerifyReport,
): void {
  const end = page.from + page.passed;
  let r = 0;
  while (frontier.size < end) {
    const size = frontier.size;
    const record = page.records[r];
    if (record?.seq === size) {
      rotations.entry(size, record.record);
      r++;
    }
    const next = Math.min(end, page.records[r]?.seq ?? end, rotations.nextHandover(size));
    for (const id of alignedSubtrees(size, next)) {
      frontier.appendSubtree(id.level, levelHash(page.levels, page.from, id));
    }
    // A root that fails is named before its last leaf counts as checked.
    report.entriesChecked = next - 1;
    rotations.root(frontier);
    report.entriesChecked = next;
  }
}

function threadCount(options: VerifyRemoteOptions, entries: number): number {
  if (options.connection === undefined) return 0;
  if (options.threads !== undefined) return Math.max(0, Math.floor(options.threads));
  if (entries < MIN_PARALLEL_ENTRIES) return 0;
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, MAX_THREADS);
}

/**
 * Holds the key history to the tree: each handover checkpoint's root is the tree's at its
 * size, the entry just before it is the rotation event naming both keys, and there is no
 * other rotation event. Keys the client did not pin are thereby vouched for by the log itself.
 */
class RotationCheck {
  private readonly handoverBefore = new Map<number, number>();
  private seen = 0;
  private readonly expected: number;

  constructor(
    private readonly trusted: TrustedLogKeys,
    size: number,
  ) {
    this.trusted.history.forEach((p, i) => {
      if (i > 0 && p.fromSize <= size) this.handoverBefore.set(p.fromSize - 1, i);
    });
    this.expected = this.handoverBefore.size;
  }

  /** The seqs whose records `entry` must see besides every rotation event. */
  watchedSeqs(): number[] {
    return [...this.handoverBefore.keys()];
  }

  /** Called for every rotation event and every watched seq, in seq order (others pass). */
  entry(seq: number, record: unknown): void {
    if (isRotationEvent(record)) this.seen++;
    const i = this.handoverBefore.get(seq);
    if (i === undefined) return;
    const { history } = this.trusted;
    const problem = rotationRecordProblem(record, SELF_SOURCE, history[i - 1]!, history[i]!);
    if (problem)
      fail(
        'key_history',
        `entry ${seq} should hand over to key ${history[i]!.keyId}, but ${problem}`,
        seq,
      );
  }

  /** The first handover size above `size` (Infinity when none is left). */
  nextHandover(size: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const handover of this.trusted.handovers.keys()) {
      if (handover > size && handover < next) next = handover;
    }
    return next;
  }

  root(frontier: MerkleFrontier): void {
    const handover = this.trusted.handovers.get(frontier.size);
    if (handover && !bytesEqual(frontier.root(), handover.rootHash)) {
      fail(
        'checkpoint_mismatch',
        `the entries do not build the tree the handover checkpoint (size ${handover.size}) commits to`,
        frontier.size - 1,
      );
    }
  }

  finish(): void {
    if (this.seen !== this.expected) {
      fail(
        'key_history',
        `the log holds ${this.seen} key rotation event(s), but its key history lists ${this.expected} handover(s)`,
      );
    }
  }
}
