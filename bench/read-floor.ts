/**
 * The HTTP read path without the self-audit append: GET /api/v1/log (authenticate, one
 * store read, a small JSON reply). Search and proof latencies above this are their query
 * plus the durable self-audit event each of them appends.
 */
import { closedLoad } from './http-load.js';
import type { Latency } from './stats.js';

export interface ReadFloorResult {
  latency: Latency;
  requestsPerSecond: number;
}

export async function readFloorHttp(
  url: string,
  authorization: string,
  seconds: number,
): Promise<ReadFloorResult> {
  const load = await closedLoad({
    url: `${url}/api/v1/log`,
    connections: 1,
    seconds,
    method: 'GET',
    headers: { authorization },
  });
  return { latency: load.latency, requestsPerSecond: load.okPerSecond };
}
