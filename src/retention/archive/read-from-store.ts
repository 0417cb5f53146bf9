/**
 * Reads what a bundle needs straight from a store: the entries, their inclusion proofs in
 * one checkpoint's tree (batched: the proofs of neighbours share most of their nodes), the
 * key history, and the key ids that signed the checkpoint (checked here, before anything is
 * written: a bundle against a checkpoint the log's keys do not verify is refused).
 */
import { bytesEqual } from '../../core/bytes.js';
import { openLogCheckpoint } from '../../core/key-history.js';
import { leafHash } from '../../core/merkle.js';
import { LogReader } from '../../events/log-reader.js';
import { inclusionProofs } from '../../log/proofs.js';
import { readKeyHistory } from '../../log/stored-key-history.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { BundleContents } from './build-bundle.js';
import type { ProofLine, RecordLine } from './bundle-lines.js';

/** Proofs fetched per batched read of tree nodes. */
const PROOF_BATCH = 1000;
/** Entries read per page for a seq range. */
const ENTRY_PAGE = 1000;

/** A checkpoint the log signed: its size and the signed note, byte for byte. */
export interface SignedCheckpoint {
  size: number;
  note: string;
}

/** The bundle contents for `entries` (seq order), proven against `checkpoint`. */
export async function contentsFromStore(
  store: Store,
  origin: string,
  entries: readonly RecordLine[],
  checkpoint: SignedCheckpoint,
  clock: Clock,
): Promise<BundleContents> {
  const history = await readKeyHistory(store);
  const opened = openLogCheckpoint(checkpoint.note, history);
  if (opened.checkpoint.size !== checkpoint.size)
    throw new Error(
      `the checkpoint note is for size ${opened.checkpoint.size}, not ${checkpoint.size}`,
    );
  for (const e of entries) {
    if (e.record === '')
      throw new Error(`seq ${e.seq} has no stored payload: it was purged already`);
    // The store's own leaf hash must be the record's: never archive bytes the tree disowns.
    if (!bytesEqual(leafHash(e.record), e.leafHash))
      throw new Error(
        `seq ${e.seq}: its stored record does not match its leaf hash; run \`evident verify\``,
      );
  }
  const proofs: ProofLine[] = [];
  for (let i = 0; i < entries.length; i += PROOF_BATCH) {
    const seqs = entries.slice(i, i + PROOF_BATCH).map((e) => e.seq);
    const found = await inclusionProofs(store, seqs, checkpoint.size);
    for (const [j, seq] of seqs.entries()) proofs.push({ seq, inclusion: found[j]! });
  }
  const keys = await new LogReader(store, '').keys();
  return {
    origin,
    keys: { origin, ...keys },
    keyIds: opened.signedBy.map((p) => p.keyId),
    checkpoint: {
      size: checkpoint.size,
      rootHash: opened.checkpoint.rootHash,
      note: checkpoint.note,
    },
    entries: [...entries],
    proofs,
    createdAtMs: clock.now(),
  };
}

/**
 * Entries first ≤ seq ≤ last as stored. A seq with no stored payload (purged) is refused by
 * name: a bundle holds what the log can still prove, and says so for every seq it claims.
 */
export async function entriesInRange(
  store: Store,
  first: number,
  last: number,
  onProgress?: (done: number, total: number) => void,
): Promise<RecordLine[]> {
  const out: RecordLine[] = [];
  const total = last - first + 1;
  for (let start = first; start <= last; start += ENTRY_PAGE) {
    const end = Math.min(last + 1, start + ENTRY_PAGE);
    const page = await store.entries(start, end);
    for (let seq = start, i = 0; seq < end; seq += 1, i += 1) {
      const entry = page[i];
      if (entry?.seq !== seq || !entry.record)
        throw new Error(`seq ${seq} has no stored record (purged, or past the log's end)`);
      out.push({ seq, leafHash: entry.leafHash, record: entry.record });
    }
    onProgress?.(end - first, total);
  }
  return out;
}
