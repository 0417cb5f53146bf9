import type { Clock } from '../../util/clock.js';
import type { CredentialStore } from './credential-store.js';
import { FileCredentialStore } from './credentials-file.js';
import { ServerCredentialStore } from './server-credential-store.js';
import { serverSnapshotFetcher } from './server-snapshot.js';

/** Credentials and policy from the Evident server, fetched with a `gateway` service's token. */
export interface ServerCredentialsOption {
  syncToken: string;
  /** How often to fetch (default 5 s). */
  refreshMs?: number;
  /** A snapshot older than this refuses everyone (default 60 s). */
  maxStaleMs?: number;
}

export type CredentialsOption = string | CredentialStore | ServerCredentialsOption;

/**
 * The store a gateway's sessions ask: a local file, a given store, or the server's snapshot
 * (fetched once before this resolves, then polled until `stop`). Several databases of one
 * gateway share one.
 */
export async function openCredentialStore(
  option: CredentialsOption,
  o: { url: string; clock: Clock; log: (message: string) => void },
): Promise<{ store: CredentialStore; stop: () => void }> {
  if (typeof option === 'string') return { store: new FileCredentialStore(option), stop: () => {} };
  if (!('syncToken' in option)) return { store: option, stop: () => {} };
  const store = new ServerCredentialStore({
    fetch: serverSnapshotFetcher(o.url, option.syncToken),
    now: () => o.clock.now(),
    maxStaleMs: option.maxStaleMs ?? 60_000,
  });
  // The first snapshot must arrive: a gateway that knows nobody serves nobody.
  await store.refresh();
  const stop = store.poll(option.refreshMs ?? 5000, (error) =>
    o.log(`evident gateway: fetching credentials failed: ${(error as Error).message}`),
  );
  return { store, stop };
}
