import type { ApiClient } from '../client/api-client.js';
import { bytesEqual, fromBase64, toBase64 } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import { openCheckpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { leafHash, MerkleFrontier } from '../core/merkle.js';
import { type NoteVerifier, parseVerifierKey } from '../core/note.js';
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
  /** Pin the verifier key (recommended); default: trust the key the server publishes. */
  verifierKey?: string;
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Verifies a running log through its public API only: the signed checkpoint with the
 * verifier key, then every entry re-canonicalised (generic RFC 8785, not our own fast path)
 * and re-hashed into a tree whose root must equal the checkpoint's.
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
    const info = await client.getJson<LogInfo>('/api/v1/log');
    const keyText = options.verifierKey ?? info.verifier_key;
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(keyText);
    } catch (error) {
      fail('bad_verifier_key', `the verifier key does not parse: ${(error as Error).message}`);
    }
    let checkpoint: ReturnType<typeof openCheckpoint>;
    try {
      checkpoint = openCheckpoint(info.checkpoint, [verifier]);
    } catch (error) {
      const why = error instanceof CoreError ? error.code : 'error';
      fail(
        'checkpoint_invalid',
        `the server's checkpoint is not validly signed by ${verifier.name} (${why})`,
      );
    }
    report.checkpointsChecked = 1;
    report.treeSize = checkpoint.size;
    report.rootHash = toBase64(checkpoint.rootHash);

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
        frontier.append(leaf);
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
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  }
  return report;
}
