import { formatPeriod, mayBeShorter, type Period, parsePeriod, periodStart } from './period.js';

/** The source name of the default policy: it applies to every source without its own. */
export const DEFAULT_POLICY_SOURCE = '*';

/**
 * The log's own events (source `evident`) are never purged: they are what explains every
 * removal (purge events, policies, holds, approvals), so verify can replay them.
 */
export const NEVER_PURGED_SOURCE = 'evident';

export interface RetentionPolicy {
  /** A source name, or `*` for the default. */
  source: string;
  /** Nothing may be removed younger than this (null: no minimum). */
  min: Period | null;
  /** Payloads older than this are purged (null: kept forever). */
  max: Period | null;
  /** Payloads are written to the archive (and confirmed) before they are purged. */
  archive: boolean;
}

export interface StoredPolicy extends RetentionPolicy {
  updatedAtMs: number;
  updatedBy: string;
  version: number;
}

/** The policy that governs `source`: its own, else the default, else none (kept forever). */
export function policyFor<P extends { source: string }>(
  policies: readonly P[],
  source: string,
): P | undefined {
  if (source === NEVER_PURGED_SOURCE) return undefined;
  return (
    policies.find((p) => p.source === source) ??
    policies.find((p) => p.source === DEFAULT_POLICY_SOURCE)
  );
}

/**
 * The received_at before which an entry may be purged under `policy` at `nowMs` (undefined:
 * never). Both periods bound it, so an entry is purged only past its maximum AND its minimum.
 */
export function purgeCutoff(policy: RetentionPolicy, nowMs: number): number | undefined {
  if (policy.max === null) return undefined;
  const max = periodStart(nowMs, policy.max);
  return policy.min === null ? max : Math.min(max, periodStart(nowMs, policy.min));
}

/** What in `next` shortens `previous` (a four-eyes change), as words for the request; empty: nothing. */
export function shortenings(
  next: RetentionPolicy,
  previous: RetentionPolicy | undefined,
): string[] {
  const out: string[] = [];
  const prevMin = previous?.min ?? null;
  const prevMax = previous?.max ?? null;
  if (prevMin !== null && (next.min === null || mayBeShorter(next.min, prevMin))) {
    out.push(`minimum ${formatPeriod(prevMin)} → ${next.min ? formatPeriod(next.min) : 'none'}`);
  }
  if (next.max !== null && (prevMax === null || mayBeShorter(next.max, prevMax))) {
    out.push(`maximum ${prevMax ? formatPeriod(prevMax) : 'forever'} → ${formatPeriod(next.max)}`);
  }
  return out;
}

/** Policy fields as events and the API write them: periods as ISO 8601 text. */
export interface PolicyFields {
  source: string;
  min: string | null;
  max: string | null;
  archive: boolean;
}

export function policyFields(policy: RetentionPolicy): PolicyFields {
  return {
    source: policy.source,
    min: policy.min ? formatPeriod(policy.min) : null,
    max: policy.max ? formatPeriod(policy.max) : null,
    archive: policy.archive,
  };
}

/** The policy stored fields describe, or a word on what is wrong with them. */
export function policyFromFields(fields: PolicyFields): RetentionPolicy | string {
  const min = fields.min === null ? null : parsePeriod(fields.min);
  const max = fields.max === null ? null : parsePeriod(fields.max);
  if (min === undefined) return `min ${fields.min} is not a period like P12M or P90D`;
  if (max === undefined) return `max ${fields.max} is not a period like P36M or P400D`;
  return { source: fields.source, min, max, archive: fields.archive };
}
