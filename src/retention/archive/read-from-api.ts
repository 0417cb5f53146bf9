/**
 * Reads what a bundle needs through a server's API (`archive create --url`): the current
 * checkpoint, the key history, the entries (GET /api/v1/log/entries, which needs log.entries)
 * and one inclusion proof per entry (proofs.read). The server audits each of these reads.
 */

import type { ApiClient } from '../../client/api-client.js';
import { fromBase64 } from '../../core/bytes.js';
import { canonicalize } from '../../core/canonical-json.js';
import { openLogCheckpoint } from '../../core/key-history.js';
import type { Clock } from '../../util/clock.js';
import { type LogKeysDocument, trustLogKeys } from '../../verify/log-keys.js';
import type { BundleContents } from './build-bundle.js';
import type { ProofLine, RecordLine } from './bundle-lines.js';

/** Proof requests in flight at once. */
const PARALLEL_PROOFS = 8;

interface LogInfoJson {
  origin: string;
  tree_size: number;
  checkpoint: string;
}

interface EntriesPageJson {
  entries: { seq: number; leaf_hash: string; record: unknown }[];
  next_start: number | null;
}

export async function contentsFromApi(
  client: ApiClient,
  first: number,
  last: number,
  clock: Clock,
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<BundleContents> {
  const info = await client.getJson<LogInfoJson>('/api/v1/log');
  const keys = await client.getJson<LogKeysDocument>('/api/v1/log/keys');
  const { history } = trustLogKeys(keys, info.origin, undefined);
  const opened = openLogCheckpoint(info.checkpoint, history);
  const size = opened.checkpoint.size;
  if (last >= size) throw new Error(`--to-seq ${last} is past the log's size ${size}`);
  const total = last - first + 1;

  const entries: RecordLine[] = [];
  for (let start: number | null = first; start !== null && start <= last; ) {
    const page: EntriesPageJson = await client.getJson<EntriesPageJson>('/api/v1/log/entries', {
      start,
      end: last + 1,
    });
    for (const e of page.entries) {
      const leafHash = fromBase64(e.leaf_hash);
      if (leafHash === undefined)
        throw new Error(`seq ${e.seq}: the server sent a malformed leaf hash`);
      entries.push({ seq: e.seq, leafHash, record: canonicalize(e.record) });
    }
    onProgress?.('reading entries', entries.length, total);
    start = page.next_start;
  }
  for (const [i, e] of entries.entries())
    if (e.seq !== first + i) throw new Error(`seq ${first + i} has no stored record (purged?)`);
  if (entries.length !== total)
    throw new Error(`the server sent ${entries.length} of ${total} entries`);

  const proofs: ProofLine[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const seq = entries[i]!.seq;
      const answer = await client.getJson<{ hashes: string[] }>('/api/v1/log/proof/inclusion', {
        seq,
        tree_size: size,
      });
      const inclusion = answer.hashes.map((h) => fromBase64(h));
      if (inclusion.some((h) => h === undefined))
        throw new Error(`seq ${seq}: the server sent a malformed proof`);
      proofs[i] = { seq, inclusion: inclusion as Uint8Array[] };
      done += 1;
      if (done % 100 === 0 || done === entries.length) onProgress?.('proving entries', done, total);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_PROOFS }, worker));

  return {
    origin: info.origin,
    keys,
    keyIds: opened.signedBy.map((p) => p.keyId),
    checkpoint: { size, rootHash: opened.checkpoint.rootHash, note: info.checkpoint },
    entries,
    proofs,
    createdAtMs: clock.now(),
  };
}
