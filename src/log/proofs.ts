import {
  buildProof,
  consistencyProofRanges,
  inclusionProofRanges,
  type LeafRange,
  proofNodeIds,
} from '../core/proof.js';
import { AppError } from '../errors.js';
import { nodeKey, type Store } from '../store/store.js';

/** RFC 9162 proofs served from stored complete subtrees: one batched read of O(log n) nodes. */
export async function inclusionProof(
  store: Store,
  seq: number,
  treeSize: number,
): Promise<Uint8Array[]> {
  return proofFromStore(store, inclusionProofRanges(seq, treeSize));
}

/**
 * Inclusion proofs of several leaves in one tree, from ONE batched read of their nodes (the
 * proofs of a batch share most of them): what an append answers with `?proof=inclusion`.
 */
export async function inclusionProofs(
  store: Store,
  seqs: readonly number[],
  treeSize: number,
): Promise<Uint8Array[][]> {
  const ranges = seqs.map((seq) => inclusionProofRanges(seq, treeSize));
  const found = await store.nodes(proofNodeIds(ranges.flat()));
  return ranges.map((r) => buildProof(r, lookupIn(found)));
}

export async function consistencyProof(
  store: Store,
  from: number,
  to: number,
): Promise<Uint8Array[]> {
  return proofFromStore(store, consistencyProofRanges(from, to));
}

async function proofFromStore(store: Store, ranges: LeafRange[]): Promise<Uint8Array[]> {
  const found = await store.nodes(proofNodeIds(ranges));
  return buildProof(ranges, lookupIn(found));
}

function lookupIn(found: Map<string, Uint8Array>) {
  return ({ level, index }: { level: number; index: number }): Uint8Array => {
    const hash = found.get(nodeKey(level, index));
    if (!hash) {
      throw new AppError(
        'store_inconsistent',
        `tree node level ${level} index ${index} is missing; run \`evident verify\``,
      );
    }
    return hash;
  };
}
