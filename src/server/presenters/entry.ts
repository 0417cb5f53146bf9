import { toBase64 } from '../../core/bytes.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS, skewFlags } from '../../monitor/sources/skew-flags.js';
import type { StoredEntry } from '../../store/store.js';

/**
 * `{"seq","leaf_hash","record"}` as JSON text. The stored canonical record is spliced in
 * verbatim: the bytes a client receives are exactly the bytes that were hashed, and the
 * server does not re-serialise any record it returns. When the source's clock and the
 * server's disagree by more than `maxSkewMs`, `"flags":["clock_skew"],"skew_ms":N` follow
 * the record, outside it (server time is authoritative, the source's is kept; the record is what was hashed).
 */
export function entryJson(entry: StoredEntry, maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS): string {
  const head = `{"seq":${entry.seq},"leaf_hash":"${toBase64(entry.leafHash)}","record":${entry.record}`;
  // The stored time columns, which `verify` checks against the record: no parse per entry.
  const flags = skewFlags(entry.timeMs, entry.receivedAtMs, maxSkewMs);
  return flags ? `${head},"flags":["${flags.flags[0]}"],"skew_ms":${flags.skew_ms}}` : `${head}}`;
}

export function entryListJson(
  entries: readonly StoredEntry[],
  extra: Record<string, unknown>,
  maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS,
): string {
  let tail = '';
  for (const [key, value] of Object.entries(extra))
    tail += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return `{"entries":[${entries.map((e) => entryJson(e, maxSkewMs)).join(',')}]${tail}}`;
}
