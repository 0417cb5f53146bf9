import { bytesEqual } from '../core/bytes.js';
import { CoreError } from '../core/errors.js';
import { type LogKeyPeriod, openLogCheckpoint } from '../core/key-history.js';
import type { Problem } from './report.js';

/** A stored checkpoint as verify reads it: its row and its signed note. */
export interface CheckpointRow {
  size: number;
  rootHash: Uint8Array;
  note: string;
}

/**
 * The first stored checkpoint, in the order given, whose note is not validly signed by the
 * log key for its size (both keys at a handover), or says other than its row. One Ed25519
 * verification each: on a log checkpointed per group commit that is tens of thousands, so
 * verify-store.ts spreads them over its worker threads (page-worker.ts) in slices.
 */
export function firstCheckpointProblem(
  rows: readonly CheckpointRow[],
  history: readonly LogKeyPeriod[],
): { index: number; problem: Problem } | undefined {
  for (const [index, row] of rows.entries()) {
    let parsed: ReturnType<typeof openLogCheckpoint>['checkpoint'];
    try {
      parsed = openLogCheckpoint(row.note, history).checkpoint;
    } catch (error) {
      const why = error instanceof CoreError ? `${error.code}: ${error.message}` : 'error';
      return {
        index,
        problem: {
          kind: 'checkpoint_invalid',
          message: `the checkpoint for tree size ${row.size} is not validly signed by the log key for that size (${why})`,
        },
      };
    }
    if (parsed.size !== row.size || !bytesEqual(parsed.rootHash, row.rootHash)) {
      return {
        index,
        problem: {
          kind: 'checkpoint_invalid',
          message: `the checkpoint row for size ${row.size} does not match its signed note`,
        },
      };
    }
  }
  return undefined;
}
