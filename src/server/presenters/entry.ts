import { toBase64 } from '../../core/bytes.js';
import type { EntryFlags } from '../../events/entry-flags.js';
import type { PurgedEntryIds } from '../../events/log-reader.js';
import type { StoredEntry } from '../../store/store.js';
import { PURGED_RECORD } from '../../store/tables/retention/purged-payloads-table.js';

/**
 * `{"seq","leaf_hash","record"}` as JSON text. The stored canonical record is spliced in
 * verbatim: the bytes a client receives are exactly the bytes that were hashed, and the
 * server does not re-serialise any record it returns. Flags (events/entry-flags.ts) and `skew_ms`
 * (received_at − time) follow the record, outside it: the record is what was hashed.
 */
export function entryJson(
  entry: StoredEntry,
  flagsOf: EntryFlags,
  purgedIds?: ReadonlyMap<number, PurgedEntryIds>,
): string {
  // A purged payload (docs/retention.md): the leaf hash still proves its place in the tree.
  // Raw log pages add the actor and target digests the purge left, so a verifier over the
  // API can replay legal holds that name a person (digests, never the ids in clear).
  if (entry.record === PURGED_RECORD) {
    const ids = purgedIds?.get(entry.seq);
    const idFields = ids
      ? `,"actor_id":${JSON.stringify(ids.actorId)},"target_id":${JSON.stringify(ids.targetId)}`
      : '';
    return `{"seq":${entry.seq},"leaf_hash":"${toBase64(entry.leafHash)}","record":null,"purged":true,"source":${JSON.stringify(entry.source)},"received_at":"${new Date(entry.receivedAtMs).toISOString()}"${idFields}}`;
  }
  const head = `{"seq":${entry.seq},"leaf_hash":"${toBase64(entry.leafHash)}","record":${entry.record}`;
  const flags = flagsOf.of(entry);
  if (flags.length === 0) return `${head}}`;
  return `${head},"flags":${JSON.stringify(flags)},"skew_ms":${entry.receivedAtMs - entry.timeMs}}`;
}

export function entryListJson(
  entries: readonly StoredEntry[],
  extra: Record<string, unknown>,
  flagsOf: EntryFlags,
  purgedIds?: ReadonlyMap<number, PurgedEntryIds>,
): string {
  let tail = '';
  for (const [key, value] of Object.entries(extra))
    tail += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return `{"entries":[${entries.map((e) => entryJson(e, flagsOf, purgedIds)).join(',')}]${tail}}`;
}
