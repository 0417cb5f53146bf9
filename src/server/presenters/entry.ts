import { toBase64 } from '../../core/bytes.js';
import type { StoredEntry } from '../../store/store.js';

/**
 * `{"seq","leaf_hash","record"}` as JSON text. The stored canonical record is spliced in
 * verbatim: the bytes a client receives are exactly the bytes that were hashed, and the
 * server does not parse and re-serialise every record it returns.
 */
export function entryJson(entry: StoredEntry): string {
  return `{"seq":${entry.seq},"leaf_hash":"${toBase64(entry.leafHash)}","record":${entry.record}}`;
}

export function entryListJson(
  entries: readonly StoredEntry[],
  extra: Record<string, unknown>,
): string {
  let tail = '';
  for (const [key, value] of Object.entries(extra))
    tail += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return `{"entries":[${entries.map(entryJson).join(',')}]${tail}}`;
}
