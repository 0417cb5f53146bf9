import type { ApiClient } from '../client/api-client.js';
import { bytesEqual, fromBase64, toBase64 } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { LOG_KEY_ROTATE_ACTION, rotationRecordProblem } from '../core/key-history.js';
import { leafHash, MerkleFrontier } from '../core/merkle.js';
import { parseVerifierKey } from '../core/note.js';
import { SELF_SOURCE } from '../log/self-source.js';
import {
  describeTrust,
  fetchTrustedLogKeys,
  openTrustedCheckpoint,
  type TrustedLogKeys,
} from './log-keys.js';
import { fail, ProblemFound, type VerifyReport } from './report.js';

interface LogInfo {
  origin: string;
  verifier_key: string;
  tree_size: number;
  checkpoint: string;
}

interface EntriesPage {
  entries: { seq: number; leaf_hash: string; record: unknown }[];
  next_start: number | null;
}

export interface VerifyRemoteOptions {
  /**
   * Pin a verifier key of the log (recommended): the current one, or an older one from which
   * the handover checkpoints lead to the current key. Default: trust the key the server states.
   */
  verifierKey?: string;
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Verifies a running log through its public API only: the key history (chained from the
 * pinned key through the handover checkpoints), the signed checkpoint, then every entry
 * re-canonicalised (generic RFC 8785, not our own fast path) and re-hashed into a tree whose
 * root must equal the checkpoint's and, at each handover, the handover checkpoint's. The
 * rotation events in the tree must be exactly the handovers the key history lists.
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
    while (frontier.size < checkpoint.size) {
      const page = await client.getJson<EntriesPage>('/api/v1/log/entries', {
        start: frontier.size,
        end: checkpoint.size,
      });
      if (page.entries.length === 0) {
        fail(
          'entry_missing',
          `the server returned no entries from ${frontier.size} (checkpoint covers ${checkpoint.size})`,
          frontier.size,
        );
      }
      for (const entry of page.entries) {
        const seq = frontier.size;
        if (entry.seq !== seq)
          fail('entry_missing', `expected entry ${seq}, the server sent ${entry.seq}`, seq);
        const leaf = leafHash(canonicalize(entry.record));
        const claimed = fromBase64(entry.leaf_hash);
        if (!claimed || !bytesEqual(leaf, claimed)) {
          fail(
            'leaf_mismatch',
            `entry ${seq}: the record does not hash to the leaf hash the server states`,
            seq,
          );
        }
        rotations.entry(seq, entry.record);
        frontier.append(leaf);
        rotations.root(frontier);
        report.entriesChecked++;
      }
      options.onProgress?.(report.entriesChecked, checkpoint.size);
    }
    if (!bytesEqual(frontier.root(), checkpoint.rootHash)) {
      fail(
        'checkpoint_mismatch',
        `the entries do not build the tree the signed checkpoint (size ${checkpoint.size}) commits to`,
      );
    }
    rotations.finish();
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  }
  return report;
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

  entry(seq: number, record: unknown): void {
    const r = record as { source?: unknown; action?: unknown };
    if (r?.source === SELF_SOURCE && r.action === LOG_KEY_ROTATE_ACTION) this.seen++;
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
