import type { ApiClient } from '../client/api-client.js';
import { fromBase64 } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import { LOG_KEY_ROTATE_ACTION } from '../core/key-history.js';
import { HASH_SIZE } from '../core/merkle.js';
import { SELF_SOURCE } from '../log/self-source.js';
import { HOLD_PLACE_ACTION, HOLD_RELEASE_ACTION } from '../retention/hold-service.js';
import { POLICY_SET_ACTION } from '../retention/policy-change.js';
import { PURGE_ACTION } from '../retention/purge-event.js';
import { digestEquals, leafDigest, pageLevels } from './page-hash.js';
import type { PurgedRow, RetentionEvent } from './purge-check.js';
import { fail, type Problem, ProblemFound } from './report.js';

/** What GET /api/v1/log/entries answers (docs/api.md). */
interface EntriesAnswer {
  entries: {
    seq: number;
    leaf_hash: string;
    record: unknown;
    purged?: boolean;
    source?: string;
    received_at?: string;
    /** With purged: the digests the purge left (servers before these fields omit them). */
    actor_id?: string;
    target_id?: string | null;
  }[];
  next_start: number | null;
}

/** A record the in-order checks need to see (verify-remote.ts, RotationCheck). */
export interface WatchedRecord {
  seq: number;
  record: unknown;
}

/**
 * The per-entry half of verifying [from, to) through the API: everything that can be checked
 * of one entry on its own. Plain data, so a worker thread can hand it over.
 */
export interface RemotePage {
  from: number;
  /** Entries [from, from + passed) came in order and hash to the leaf hash the server states. */
  passed: number;
  /**
   * rangeLevels(from, their leaf hashes, passed): `levels[0]` the leaf hashes recomputed here,
   * in seq order (HASH_SIZE bytes each), `levels[m]` the complete nodes of level m whose
   * leaves all lie among them, so the in-order fold appends whole subtrees, not leaves.
   */
  levels: Uint8Array[];
  /** Set when the page ends before `to`: the server sent nothing more, or an entry failed. */
  stop?: { kind: 'empty' } | { kind: 'problem'; problem: Problem };
  /** Records of rotation events and of the `watched` seqs, for the checks made in order. */
  records: WatchedRecord[];
  /** Entries whose payload retention purged, and the log's retention events (purge-check.ts). */
  purged: PurgedRow[];
  retention: RetentionEvent[];
}

export function isRotationEvent(record: unknown): boolean {
  const r = record as { source?: unknown; action?: unknown } | null;
  return r?.source === SELF_SOURCE && r.action === LOG_KEY_ROTATE_ACTION;
}

/**
 * Fetches entries [from, to) (in as many requests as the server's page limit takes) and
 * checks each: at its seq, and its record, re-canonicalised with the generic RFC 8785 code
 * (not the store's fast path), hashes to the leaf hash the server states. Stops at the first
 * entry that fails, in the order the sequential verifier checks. Errors of the API itself
 * (a refused token, a 5xx) are thrown.
 */
export async function checkRemotePage(
  client: ApiClient,
  from: number,
  to: number,
  watched: ReadonlySet<number>,
): Promise<RemotePage> {
  const leaves = new Uint8Array((to - from) * HASH_SIZE);
  const records: WatchedRecord[] = [];
  const purged: PurgedRow[] = [];
  const retention: RetentionEvent[] = [];
  let passed = 0;
  let stop: RemotePage['stop'];
  while (stop === undefined && from + passed < to) {
    const answer = await client.getJson<EntriesAnswer>('/api/v1/log/entries', {
      start: from + passed,
      end: to,
    });
    if (answer.entries.length === 0) stop = { kind: 'empty' };
    for (const entry of answer.entries) {
      const seq = from + passed;
      if (seq >= to) break;
      if (entry.purged === true && entry.record === null && entry.seq === seq) {
        // Nothing to hash: the stated leaf hash joins the tree, and the purge must be explained.
        const stated = fromBase64(entry.leaf_hash);
        const receivedAtMs = Date.parse(entry.received_at ?? '');
        if (stated && stated.byteLength === HASH_SIZE && Number.isFinite(receivedAtMs)) {
          purged.push({ seq, source: String(entry.source), receivedAtMs, ...purgedIdsOf(entry) });
          leaves.set(stated, passed * HASH_SIZE);
          passed++;
          continue;
        }
      }
      const retentionEvent = retentionEventOf(seq, entry.record);
      if (retentionEvent) retention.push(retentionEvent);
      try {
        checkEntry(seq, entry, leaves, passed * HASH_SIZE);
      } catch (error) {
        if (!(error instanceof ProblemFound)) throw error;
        stop = { kind: 'problem', problem: error.problem };
        break;
      }
      if (watched.has(seq) || isRotationEvent(entry.record)) {
        records.push({ seq, record: entry.record });
      }
      passed++;
    }
  }
  const levels = pageLevels(from, leaves, passed);
  const page: RemotePage = { from, passed, levels, records, purged, retention };
  if (stop !== undefined) page.stop = stop;
  return page;
}

const RETENTION_ACTIONS = new Set([
  PURGE_ACTION,
  POLICY_SET_ACTION,
  HOLD_PLACE_ACTION,
  HOLD_RELEASE_ACTION,
]);

function retentionEventOf(seq: number, record: unknown): RetentionEvent | undefined {
  const r = record as {
    source?: unknown;
    action?: unknown;
    received_at?: unknown;
    details?: unknown;
  } | null;
  if (r?.source !== SELF_SOURCE) return undefined;
  if (typeof r.action !== 'string' || !RETENTION_ACTIONS.has(r.action)) return undefined;
  return {
    seq,
    action: r.action,
    receivedAtMs: Date.parse(String(r.received_at)),
    details: r.details,
  };
}

/**
 * Recomputes the entry's leaf hash into `leaves[at, at + 32)`; ProblemFound when the entry is
 * out of place or its leaf differs from the one the server states.
 */
function checkEntry(
  seq: number,
  entry: EntriesAnswer['entries'][number],
  leaves: Uint8Array,
  at: number,
): void {
  if (entry.seq !== seq)
    fail('entry_missing', `expected entry ${seq}, the server sent ${entry.seq}`, seq);
  const leaf = leafDigest(canonicalize(entry.record));
  const claimed = fromBase64(entry.leaf_hash);
  if (!claimed || !digestEquals(leaf, claimed)) {
    fail(
      'leaf_mismatch',
      `entry ${seq}: the record does not hash to the leaf hash the server states`,
      seq,
    );
  }
  for (let k = 0; k < HASH_SIZE; k++) leaves[at + k] = leaf.charCodeAt(k);
}

/**
 * The actor and target digests a purge left, as the server states them: columns trusted as
 * stored (like source and received_at), so holds naming an actor or a target are judged. A
 * server that does not send them leaves those holds unjudged, as before.
 */
function purgedIdsOf(
  entry: EntriesAnswer['entries'][number],
): Pick<PurgedRow, 'actorId' | 'targetId'> {
  if (typeof entry.actor_id !== 'string') return {};
  const targetId = entry.target_id;
  if (targetId !== null && typeof targetId !== 'string') return { actorId: entry.actor_id };
  return { actorId: entry.actor_id, targetId };
}
