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
 * Committed entries `from`, `from + 1`, …: each one's source and canonical record text, as
 * the sequencer committed them. Joining a page's records into one JSON array text first cost
 * the engine's side 3.1 µs per record (the join and the copy of the whole text), against
 * 0.3 µs for cloning the array of strings, and parsing one array on the thread cost more
 * than parsing each record (bench figures in BENCHMARKS.md).
 */
export interface EntryPage {
  from: number;
  sources: string[];
  records: string[];
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
