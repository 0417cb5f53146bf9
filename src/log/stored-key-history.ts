import { keyHistoryFromJson, type LogKeyPeriod, startKeyHistory } from '../core/key-history.js';
import type { Store } from '../store/store.js';
import { META_KEY_HISTORY, META_ORIGIN, META_VERIFIER_KEY } from './init-log.js';

type MetaReader = Pick<Store, 'getMeta'>;

/**
 * The log's key history as stored. A log made before rotation existed has none: its one key
 * (META_VERIFIER_KEY) has signed everything since its first checkpoint, `genesisMs`.
 */
export async function storedKeyHistory(
  meta: MetaReader,
  genesisMs: () => Promise<number>,
): Promise<LogKeyPeriod[]> {
  const origin = await meta.getMeta(META_ORIGIN);
  const verifierKey = await meta.getMeta(META_VERIFIER_KEY);
  if (origin === undefined || verifierKey === undefined)
    throw new Error('the log has no recorded identity (origin and verifier key)');
  const text = await meta.getMeta(META_KEY_HISTORY);
  if (text === undefined) return startKeyHistory(verifierKey, await genesisMs());
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new Error('the stored key history is not JSON', { cause });
  }
  return keyHistoryFromJson(parsed, origin);
}

/** The key history of a store, outside any append. */
export function readKeyHistory(
  store: Pick<Store, 'getMeta' | 'checkpoint'>,
): Promise<LogKeyPeriod[]> {
  return storedKeyHistory(store, () => genesisTime(store));
}

/** When the log's first checkpoint (the empty tree) was made. */
export async function genesisTime(store: Pick<Store, 'checkpoint'>): Promise<number> {
  const first = await store.checkpoint(0);
  if (!first) throw new Error('the log has no checkpoint of the empty tree');
  return first.createdAtMs;
}
