import type { SourceScope } from '../access/authorization/source-scope.js';
import { type FollowItem, followLog } from '../connect/siem/follow-log.js';
import { currentKey, keyHistoryToJson, type LogKeyPeriodJson } from '../core/key-history.js';
import { AppError } from '../errors.js';
import { cosignedCheckpoint } from '../log/cosigned-checkpoint.js';
import { META_VERIFIER_KEY } from '../log/init-log.js';
import { consistencyProof, inclusionProof, inclusionProofs } from '../log/proofs.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import type { LogHead, Store, StoredCheckpoint, StoredEntry } from '../store/store.js';
import { PURGED_RECORD, purgeMark } from '../store/tables/retention/purged-payloads-table.js';

/** Raw pages of GET /api/v1/log/entries hold at most this many entries. */
export const ENTRIES_PAGE_MAX = 1000;

export interface LogInfo {
  verifierKey: string;
  head: LogHead;
  /** The latest checkpoint with any witness cosignatures collected for it. */
  checkpoint: string;
}

export interface LogKeys {
  current: string;
  keys: (LogKeyPeriodJson & { handover_checkpoint: string | null })[];
}

/** What a purge left of an entry's actor and target ids: `sha256:` digests (purgedIdDigest). */
export interface PurgedEntryIds {
  actorId: string;
  targetId: string | null;
}

export interface EntriesPage {
  start: number;
  end: number;
  entries: StoredEntry[];
  /** Where the following page begins; null when this one reaches the requested end. */
  nextStart: number | null;
  /**
   * The actor and target columns of the page's purged entries, by seq: the digests a purge
   * left (never ids in clear), which a verifier over the API needs to replay a legal hold
   * naming an actor or a target.
   */
  purgedIds: Map<number, PurgedEntryIds>;
}

export interface InclusionAnswer {
  seq: number;
  treeSize: number;
  entry: StoredEntry;
  hashes: Uint8Array[];
}

/**
 * Reads of the log itself (head, checkpoints, keys, raw pages, proofs, the live stream),
 * checked against its current size, for the routes under /api/v1/log and /api/v1/events.
 * Built once over the store; routes never hold the store.
 */
export class LogReader {
  constructor(
    private readonly store: Store,
    /** This process's verifier key, when the store has none recorded. */
    private readonly verifierKey: string,
  ) {}

  /** The head, or a 503-class error while the log is not initialised. */
  async head(): Promise<LogHead> {
    const head = await this.store.head();
    if (!head) throw new AppError('log_not_initialised', 'the log is not initialised');
    return head;
  }

  /** The tree size now, 0 before the first entry. */
  async size(): Promise<number> {
    return (await this.store.head())?.size ?? 0;
  }

  async info(): Promise<LogInfo> {
    const head = await this.head();
    return {
      // From the store, not this process: another process may have rotated the key.
      verifierKey: (await this.store.getMeta(META_VERIFIER_KEY)) ?? this.verifierKey,
      head,
      checkpoint: await cosignedCheckpoint(this.store, head.checkpoint),
    };
  }

  /** The latest signed note with its witness cosignature lines. */
  async checkpoint(): Promise<string> {
    return cosignedCheckpoint(this.store, (await this.head()).checkpoint);
  }

  /** A stored checkpoint with the cosignature lines collected for it so far. */
  async cosigned(checkpoint: StoredCheckpoint): Promise<StoredCheckpoint> {
    return { ...checkpoint, note: await cosignedCheckpoint(this.store, checkpoint) };
  }

  /** Every key the log has signed with, each later one with its handover checkpoint. */
  async keys(): Promise<LogKeys> {
    let history: Awaited<ReturnType<typeof readKeyHistory>>;
    try {
      history = await readKeyHistory(this.store);
    } catch (cause) {
      throw new AppError(
        'store_inconsistent',
        'the stored key history is unreadable; run `evident verify`',
        { cause },
      );
    }
    const keys = await Promise.all(
      keyHistoryToJson(history).map(async (key, i) => ({
        ...key,
        handover_checkpoint:
          i === 0 ? null : ((await this.store.checkpoint(key.from_size))?.note ?? null),
      })),
    );
    return { current: currentKey(history).verifierKey, keys };
  }

  /** Entries [start, end) in seq order, at most ENTRIES_PAGE_MAX of them. */
  async entries(start: number, requestedEnd: number | undefined): Promise<EntriesPage> {
    const head = await this.head();
    if (requestedEnd !== undefined && requestedEnd <= start) {
      throw new AppError('invalid_query', 'query parameter "end" must be greater than "start"', {
        path: 'end',
      });
    }
    if (start > head.size) {
      throw new AppError(
        'invalid_query',
        `query parameter "start" is past the tree size ${head.size}`,
        { path: 'start' },
      );
    }
    const end = Math.min(requestedEnd ?? head.size, head.size, start + ENTRIES_PAGE_MAX);
    const entries = end > start ? await this.store.entries(start, end) : [];
    const limit = Math.min(requestedEnd ?? head.size, head.size);
    const purgedIds = await this.purgedIdsOf(entries);
    return { start, end, entries, nextStart: end < limit ? end : null, purgedIds };
  }

  /** Read with the store's full scan, which both adapters give the digests a purge left. */
  private async purgedIdsOf(entries: readonly StoredEntry[]): Promise<Map<number, PurgedEntryIds>> {
    const out = new Map<number, PurgedEntryIds>();
    const purged = entries.filter((e) => e.record === PURGED_RECORD).map((e) => e.seq);
    if (purged.length === 0) return out;
    const wanted = new Set(purged);
    const first = purged[0]!;
    const count = purged.at(-1)! - first + 1;
    for await (const rows of this.store.scanEntries(first, count)) {
      for (const row of rows) {
        if (row.seq >= first + count) return out;
        if (wanted.has(row.seq)) out.set(row.seq, { actorId: row.actorId, targetId: row.targetId });
      }
    }
    return out;
  }

  /**
   * Whether retention purged the entry's payload, and the seq of the retention.purge event
   * that did (undefined when a payload is missing without one: `evident verify` names that).
   */
  async purgeOf(entry: StoredEntry): Promise<{ purgeSeq: number | undefined } | undefined> {
    if (entry.record !== PURGED_RECORD) return undefined;
    return { purgeSeq: (await purgeMark(this.store.state, entry.seq))?.purgeSeq };
  }

  async entryById(id: string): Promise<StoredEntry | undefined> {
    return this.store.entryById(id);
  }

  /** The inclusion proof of `seq` in the tree of `treeSize` (default: the latest). */
  async inclusion(seq: number, treeSize: number | undefined): Promise<InclusionAnswer> {
    const head = await this.head();
    const size = treeSize ?? head.size;
    if (size > head.size) {
      throw new AppError('invalid_query', `tree_size ${size} is past the log's size ${head.size}`, {
        path: 'tree_size',
      });
    }
    if (seq >= size) {
      throw new AppError('invalid_query', `seq ${seq} is not in a tree of size ${size}`, {
        path: 'seq',
      });
    }
    const [entry, hashes] = await Promise.all([
      this.store.entryBySeq(seq),
      inclusionProof(this.store, seq, size),
    ]);
    if (!entry) {
      throw new AppError('store_inconsistent', `entry ${seq} is missing; run \`evident verify\``);
    }
    return { seq, treeSize: size, entry, hashes };
  }

  /** Inclusion proofs of several entries against one tree (an append's own checkpoint). */
  inclusionProofs(seqs: readonly number[], treeSize: number): Promise<Uint8Array[][]> {
    return inclusionProofs(this.store, [...seqs], treeSize);
  }

  /** The consistency proof from the tree of `from` to that of `to` (default: the latest). */
  async consistency(
    from: number,
    to: number | undefined,
  ): Promise<{ from: number; to: number; hashes: Uint8Array[] }> {
    const head = await this.head();
    const size = to ?? head.size;
    if (size > head.size) {
      throw new AppError('invalid_query', `"to" ${size} is past the log's size ${head.size}`, {
        path: 'to',
      });
    }
    if (from > size) {
      throw new AppError('invalid_query', '"from" must not be greater than "to"', { path: 'from' });
    }
    return { from, to: size, hashes: await consistencyProof(this.store, from, size) };
  }

  /**
   * The log from `from` on, as it grows, or up to `until` (the size when a one-off stream
   * opened: read it with size() before anything, such as the stream's own audit event, lands).
   */
  follow(options: {
    from: number;
    until?: number;
    scope: SourceScope;
    onCommitted: (wake: () => void) => () => void;
    pollMs: number;
    heartbeatMs: number;
    signal: AbortSignal;
  }): AsyncGenerator<FollowItem> {
    return followLog({ store: this.store, ...options });
  }

  /** The entries with these ids that are stored already. */
  entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    return this.store.entriesByIds(ids);
  }
}
