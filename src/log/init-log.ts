import { signCheckpoint } from '../core/checkpoint.js';
import { keyHistoryToJson, startKeyHistory } from '../core/key-history.js';
import { EMPTY_ROOT } from '../core/merkle.js';
import { formatVerifierKey, type NoteSigner } from '../core/note.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export const META_ORIGIN = 'origin';
/** The current verifier key (the last of the key history). */
export const META_VERIFIER_KEY = 'verifier_key';
/** JSON key history (core/key-history.ts); absent in logs made before key rotation existed. */
export const META_KEY_HISTORY = 'log_key_history';

/**
 * Gives a new log its identity (origin + verifier key, kept in the store so every process and
 * every offline verifier agrees), its key history and its first signed checkpoint, of the
 * empty tree. On an existing log it checks that the configured origin and key are the log's
 * (its current key, after rotations).
 */
export async function initLog(store: Store, signer: NoteSigner, clock: Clock): Promise<void> {
  const verifierKey = formatVerifierKey(signer.name, signer.publicKey);
  await store.append(async (tx) => {
    const origin = await tx.getMeta(META_ORIGIN);
    if (origin !== undefined && origin !== signer.name) {
      throw new Error(`this log's origin is "${origin}", not "${signer.name}"`);
    }
    const known = await tx.getMeta(META_VERIFIER_KEY);
    if (known !== undefined && known !== verifierKey) {
      throw new Error(
        `this log is signed with ${known}; the configured key is ${verifierKey}. Use the log's own key file.`,
      );
    }
    if (await tx.head()) return;
    await tx.setMeta(META_ORIGIN, signer.name);
    await tx.setMeta(META_VERIFIER_KEY, verifierKey);
    const createdAtMs = clock.now();
    await tx.setMeta(
      META_KEY_HISTORY,
      JSON.stringify(keyHistoryToJson(startKeyHistory(verifierKey, createdAtMs))),
    );
    const note = signCheckpoint(
      { origin: signer.name, size: 0, rootHash: EMPTY_ROOT, extensions: [] },
      signer,
    );
    await tx.insert({
      entries: [],
      nodes: [],
      checkpoint: { size: 0, rootHash: EMPTY_ROOT, note, createdAtMs },
    });
  });
}
