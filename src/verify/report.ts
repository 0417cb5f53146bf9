import type { WitnessVerdict } from '../core/witness-policy.js';
import type { PurgeSummary } from './purge-check.js';

/** What a verification found. The first problem is what the CLI names; the rest is context. */
export type ProblemKind =
  | 'bad_verifier_key'
  | 'store_unreadable' // the database file itself is corrupt
  | 'checkpoint_invalid' // signature, key or format
  | 'checkpoint_mismatch' // a checkpoint's root differs from the tree rebuilt from the entries
  | 'entry_missing' // a seq gap: a deleted row
  | 'entry_extra' // rows beyond the latest checkpoint, or duplicated
  | 'leaf_mismatch' // the record's bytes do not hash to the stored leaf hash
  | 'record_invalid' // the record is not canonical JSON or contradicts its row
  | 'node_mismatch' // a stored tree node differs from the recomputed one
  | 'node_missing'
  | 'node_extra'
  | 'payload_missing' // a payload removed with no retention.purge event covering it
  | 'purge_unjustified' // a purge its policy did not allow (before the minimum or maximum, wrong policy)
  | 'purge_of_held_entry' // a purge of an entry a legal hold, live at the purge event, covered
  | 'key_history' // the key history contradicts the log's handovers or rotation events
  | 'witness_quorum'; // the latest checkpoint lacks the cosignatures a witness policy requires

export interface Problem {
  kind: ProblemKind;
  message: string;
  seq?: number;
}

export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  rootHash?: string;
  entriesChecked: number;
  checkpointsChecked: number;
  nodesChecked: number;
  problems: Problem[];
  /** Which signing keys were trusted and why (after a key rotation, more than one). */
  trust?: string;
  /** The signed checkpoint the tree was verified against (with any cosignature lines). */
  checkpoint?: string;
  /** Entries whose payload is gone, each explained by one of `purgeEvents` retention.purge events. */
  purged?: PurgeSummary;
  /** With a witness policy: who cosigned that checkpoint. */
  witnesses?: WitnessVerdict & { summary: string };
}

/** Raised inside a verifier to stop at the first problem; callers get it in the report. */
export class ProblemFound extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export function fail(kind: ProblemKind, message: string, seq?: number): never {
  throw new ProblemFound(seq === undefined ? { kind, message } : { kind, message, seq });
}
