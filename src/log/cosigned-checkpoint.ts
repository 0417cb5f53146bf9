import type { Store, StoredCheckpoint } from '../store/store.js';

/**
 * A checkpoint as served: the log's signed note followed by the witness cosignature lines
 * kept for its size (signed-note allows any number of signature lines; verifiers ignore
 * keys they do not know).
 */
export async function cosignedCheckpoint(
  store: Store,
  checkpoint: StoredCheckpoint,
): Promise<string> {
  return checkpoint.note + (await store.cosignatures(checkpoint.size)).join('');
}
