/**
 * Closed-loop HTTP load with autocannon: `connections` clients, each sending its next request
 * as soon as the previous one is answered. Latencies are taken from autocannon's per-response
 * timings (sub-millisecond; its own histogram rounds to whole milliseconds).
 */
import autocannon from 'autocannon';
import type { BodyPool } from './fixtures.js';
import { type Latency, latency } from './stats.js';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A fresh body per request (POST). */
  body?: () => string;
  /** A fresh path per request (GET); default: the URL's path. */
  path?: () => string;
  /** autocannon's own rate limit: a per-second request quota shared by the connections. */
  overallRate?: number;
}

export interface LoadResult {
  seconds: number;
  /** 2xx responses. */
  ok: number;
  okPerSecond: number;
  /** Non-2xx responses, connection errors and timeouts. */
  failed: number;
  statuses: Record<string, number>;
  latency: Latency;
  /** autocannon's p99 (whole ms; corrected for coordinated omission when rate-limited). */
  autocannonP99: number;
}

export function closedLoad(options: LoadOptions): Promise<LoadResult> {
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        timeout: 30,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: [
          {
            method: options.method,
            headers: options.headers,
            setupRequest: (request) => ({
              ...request,
              ...(options.body ? { body: options.body() } : {}),
              ...(options.path ? { path: options.path() } : {}),
            }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          seconds: result.duration,
          ok,
          okPerSecond: ok / result.duration,
          failed: result.non2xx + result.errors + result.timeouts,
          statuses,
          latency: latency(samples),
          autocannonP99: result.latency.p99,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        samples.push(ms);
      }
    });
  });
}

/** Events in each array of the bench's batched ingest. */
export const ARRAY_EVENTS = 500;

/** Batched ingest as `npm run bench` sends it: 8 clients, each posting arrays of 500 events. */
export function arraysLoad(
  url: string,
  headers: Record<string, string>,
  pool: BodyPool,
  seconds: number,
): Promise<LoadResult> {
  return closedLoad({
    url,
    connections: 8,
    seconds,
    method: 'POST',
    headers,
    body: () => pool.array(ARRAY_EVENTS),
  });
}
