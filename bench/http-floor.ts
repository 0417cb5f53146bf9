/**
 * The HTTP limit beside Evident: the same load against bench/http-floor-server.ts, a Fastify
 * process with Evident's HTTP configuration that does no work per request. What Evident
 * reaches below this is the cost of validating, hashing, storing and signing.
 */
import { BodyPool, IdSource } from './fixtures.js';
import { BATCH_EVENTS, SINGLE_CLIENTS } from './http-ingest.js';
import { closedLoad } from './http-load.js';
import { watchCpu } from './machine.js';
import { spawnServer } from './server.js';
import { type Latency, log } from './stats.js';

export interface FloorResult {
  singleRequestsPerSecond: number;
  singleLatency: Latency;
  /** The floor server's CPU per single-event request, µs. */
  singleServerCpuMicros: number;
  batchEventsPerSecond: number;
  batchLatency: Latency;
}

export async function httpFloor(seconds: number, batchClients: number): Promise<FloorResult> {
  const server = await spawnServer(['--import', 'tsx', 'bench/http-floor-server.ts']);
  try {
    const pool = new BodyPool(20_000, new IdSource());
    const url = `${server.url}/api/v1/events`;
    const headers = { authorization: 'Bearer none', 'content-type': 'application/json' };
    await closedLoad({
      url,
      connections: 16,
      seconds: 1,
      method: 'POST',
      headers,
      body: () => pool.event(),
    });
    log(`HTTP floor: single events, ${SINGLE_CLIENTS} clients, ${seconds} s`);
    const cpu = watchCpu({ server: server.pid });
    const single = await closedLoad({
      url,
      connections: SINGLE_CLIENTS,
      seconds,
      method: 'POST',
      headers,
      body: () => pool.event(),
    });
    const serverShare = (cpu().processes.server ?? 0) / 100;
    log(`HTTP floor: arrays of ${BATCH_EVENTS}, ${batchClients} clients, ${seconds} s`);
    const batch = await closedLoad({
      url,
      connections: batchClients,
      seconds,
      method: 'POST',
      headers,
      body: () => pool.array(BATCH_EVENTS),
    });
    return {
      singleRequestsPerSecond: single.okPerSecond,
      singleLatency: single.latency,
      singleServerCpuMicros: (serverShare / single.okPerSecond) * 1e6,
      batchEventsPerSecond: batch.okPerSecond * BATCH_EVENTS,
      batchLatency: batch.latency,
    };
  } finally {
    await server.stop();
  }
}
