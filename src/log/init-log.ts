import { signCheckpoint } from '../core/checkpoint.js';
import { EMPTY_ROOT } from '../core/merkle.js';
import { formatVerifierKey, type NoteSigner } from '../core/note.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export const META_ORIGIN = 'origin';
export const META_VERIFIER_KEY = 'verifier_key';

/**
 * Gives a new log its identity (origin + verifier key, kept in the store so every process and
 * every offline verifier agrees) and its first signed checkpoint, of the empty tree. On an
 * existing log it checks that the configured origin and key are the ones the log was made with.
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
    const note = signCheckpoint(
      { origin: signer.name, size: 0, rootHash: EMPTY_ROOT, extensions: [] },
      signer,
    );
    await tx.insert({
      entries: [],
      nodes: [],
      checkpoint: { size: 0, rootHash: EMPTY_ROOT, note, createdAtMs: clock.now() },
    });
  });
}
