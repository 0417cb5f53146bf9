import type { RuleLayer } from '../rules/rule-set.js';
import type { NewAlert } from '../types.js';
import type { StateLimits } from './limits.js';

/**
 * What the engine asks of its evaluator thread (evaluator-thread.ts ↔ evaluator-worker.ts).
 * The thread answers in the order asked, so a page posted after a rule change is evaluated
 * with the new rules, and a snapshot asked after a page includes it.
 */
export type EvaluatorRequest =
  | {
      kind: 'load';
      /** The rule layers, parsed on the engine's side (compile-layers.ts parseLayerTexts). */
      layers: RuleLayer[];
      /** The persisted windows (engine_position.evaluator_json); none on a first start. */
      snapshotJson: string | undefined;
      limits: StateLimits;
      lateAfterMs: number | undefined;
    }
  | { kind: 'rules'; layers: RuleLayer[] }
  | { kind: 'evaluate'; page: EntryPage }
  | { kind: 'snapshot' };

/**
 * Committed entries `from`, `from + 1`, …: each one's source, and their canonical records
 * joined into one JSON array text. One string is copied to the thread in one piece, where
 * an array of records would be cloned string by string on the engine's side.
 */
export interface EntryPage {
  from: number;
  sources: string[];
  records: string;
}

/** A page's alerts, and what the observers need of each entry (only the thread parsed it). */
export interface EvaluatedPage {
  alerts: NewAlert[];
  /** Per entry, `time` then `received_at` in ms. */
  times: Float64Array;
  /** Per entry, 1 for a declared backfill. */
  historical: Uint8Array;
}

export type EvaluatorAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string };
