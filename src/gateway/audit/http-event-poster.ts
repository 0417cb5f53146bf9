import { ApiClient } from '../../client/api-client.js';
import type { PostEvents } from './audit-queue.js';

/** Posts through Evident's normal ingest (POST /api/v1/events, NDJSON) with an ingest key. */
export function httpEventPoster(baseUrl: string, ingestKey: string): PostEvents {
  const client = new ApiClient({ baseUrl, token: ingestKey });
  return async (_events, ndjson) => {
    await client.post('/api/v1/events', ndjson, 'application/x-ndjson');
  };
}
