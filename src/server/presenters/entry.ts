import { toBase64 } from '../../core/bytes.js';
import { DEFAULT_LATE_AFTER_MS } from '../../monitor/engine/event-time.js';
import { CLOCK_SKEW_FLAG, DEFAULT_MAX_CLOCK_SKEW_MS } from '../../monitor/sources/skew-flags.js';
import type { StoredEntry } from '../../store/store.js';

/** The limits read-time flags are judged by (the server's SourceSettings). */
export interface FlagLimits {
  maxClockSkewMs: number;
  lateAfterMs: number;
}

export const DEFAULT_FLAG_LIMITS: FlagLimits = {
  maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
  lateAfterMs: DEFAULT_LATE_AFTER_MS,
};

/**
 * Read-time flags of an entry, judged from the stored time columns (which `verify` checks
 * against the record), so no record is parsed for them:
 * - `historical`: a declared backfill (the record's own `historical: true`);
 * - `late`: received more than the late bound after its time (the rules never let it open
 *   an alert on its own; a backfill is always late);
 * - `clock_skew`: time and received_at disagree by more than the skew limit, for entries
 *   that are not a declared backfill (an import is old on purpose).
 */
export function entryFlags(entry: StoredEntry, limits: FlagLimits): string[] {
  const flags: string[] = [];
  const skew = entry.receivedAtMs - entry.timeMs;
  // JCS puts "historical" at the top level right after "details"; the parse only runs for
  // the rare record that has the text at all (a "details" object might hold it too).
  const historical =
    entry.record.includes('"historical":true') &&
    (JSON.parse(entry.record) as { historical?: unknown }).historical === true;
  if (historical) flags.push('historical');
  if (historical || skew > limits.lateAfterMs) flags.push('late');
  if (!historical && Math.abs(skew) > limits.maxClockSkewMs) flags.push(CLOCK_SKEW_FLAG);
  return flags;
}

/**
 * `{"seq","leaf_hash","record"}` as JSON text. The stored canonical record is spliced in
 * verbatim: the bytes a client receives are exactly the bytes that were hashed, and the
 * server does not re-serialise any record it returns. Flags (entryFlags) and `skew_ms`
 * (received_at − time) follow the record, outside it: the record is what was hashed.
 */
export function entryJson(entry: StoredEntry, limits: FlagLimits = DEFAULT_FLAG_LIMITS): string {
  const head = `{"seq":${entry.seq},"leaf_hash":"${toBase64(entry.leafHash)}","record":${entry.record}`;
  const flags = entryFlags(entry, limits);
  if (flags.length === 0) return `${head}}`;
  return `${head},"flags":${JSON.stringify(flags)},"skew_ms":${entry.receivedAtMs - entry.timeMs}}`;
}

export function entryListJson(
  entries: readonly StoredEntry[],
  extra: Record<string, unknown>,
  limits: FlagLimits = DEFAULT_FLAG_LIMITS,
): string {
  let tail = '';
  for (const [key, value] of Object.entries(extra))
    tail += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return `{"entries":[${entries.map((e) => entryJson(e, limits)).join(',')}]${tail}}`;
}
