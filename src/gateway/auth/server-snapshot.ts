import { ApiClient } from '../../client/api-client.js';
import type { FetchSnapshot, SyncedCredentialJson } from './server-credential-store.js';

/** Fetches credentials and policy from `GET /api/v1/gateway/sync` with a gateway service token. */
export function serverSnapshotFetcher(baseUrl: string, token: string): FetchSnapshot {
  const client = new ApiClient({ baseUrl, token });
  return () => client.getJson<{ credentials: SyncedCredentialJson[] }>('/api/v1/gateway/sync');
}
