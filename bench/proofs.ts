/**
 * Inclusion-proof latency on the filled log, for random leaves against the current tree
 * size: at the store (src/log/proofs.ts: one batched read of O(log n) stored nodes) and
 * through HTTP (plus the entry read and the durable self-audit append).
 */
import { inclusionProof } from '../src/log/proofs.js';
import type { Store } from '../src/store/store.js';
import { prng } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { type Latency, latency, timeEach } from './stats.js';

const STORE_PROOFS = 5_000;

export interface ProofResult {
  latency: Latency;
  treeSize: number;
  /** Mean hashes per proof. */
  hashes: number;
  requestsPerSecond?: number;
  failed?: number;
}

export async function proofsStoreLevel(store: Store): Promise<ProofResult> {
  const head = await store.head();
  if (!head) throw new Error('proofs: the log is empty');
  const random = prng(31);
  const seqs = Array.from({ length: STORE_PROOFS + 500 }, () => Math.floor(random() * head.size));
  for (const seq of seqs.slice(STORE_PROOFS)) await inclusionProof(store, seq, head.size);
  let hashes = 0;
  const samples = await timeEach(STORE_PROOFS, async (i) => {
    hashes += (await inclusionProof(store, seqs[i]!, head.size)).length;
  });
  return { latency: latency(samples), treeSize: head.size, hashes: hashes / STORE_PROOFS };
}

export async function proofsHttp(
  url: string,
  authorization: string,
  treeSize: number,
  seconds: number,
): Promise<ProofResult> {
  const random = prng(32);
  const load = await closedLoad({
    url: `${url}/api/v1/log/proof/inclusion`,
    connections: 1,
    seconds,
    method: 'GET',
    headers: { authorization },
    path: () => `/api/v1/log/proof/inclusion?seq=${Math.floor(random() * treeSize)}`,
  });
  return {
    latency: load.latency,
    treeSize,
    hashes: Number.NaN,
    requestsPerSecond: load.okPerSecond,
    failed: load.failed,
  };
}
