import { maxSilenceOf, type SourceRecord } from './source-registry.js';
import type { SourceStats } from './source-stats.js';

export type SourceStatus = 'ok' | 'silent' | 'unmonitored';

export interface Silence {
  status: SourceStatus;
  /** null: not monitored. */
  maxSilenceMs: number | null;
  /** When the current quiet spell began: the last event, or registration if none came yet. */
  sinceMs: number;
  /** How long it has lasted at `nowMs`. */
  quietMs: number;
}

/**
 * Whether a source is silent at `nowMs`: quiet for MORE than its longest allowed silence
 * (exactly the limit is still fine). Pure, so the check and the API agree at every edge.
 */
export function silenceOf(
  record: SourceRecord,
  stats: SourceStats | undefined,
  nowMs: number,
  defaultMaxSilenceMs: number | null,
): Silence {
  const maxSilenceMs = maxSilenceOf(record, defaultMaxSilenceMs);
  const sinceMs = stats?.lastReceivedAtMs ?? record.createdAtMs;
  const quietMs = Math.max(0, nowMs - sinceMs);
  let status: SourceStatus = 'ok';
  if (maxSilenceMs === null) status = 'unmonitored';
  else if (quietMs > maxSilenceMs) status = 'silent';
  return { status, maxSilenceMs, sinceMs, quietMs };
}
