/**
 * Open-loop load at a fixed arrival rate: requests are due at evenly spaced instants whether
 * or not earlier ones were answered, and each latency runs from the instant it was DUE, so a
 * stalled server is charged for the queue it builds (no coordinated omission). autocannon's
 * `overallRate` instead hands each connection a per-second quota it sends at once, which
 * makes every second start with a burst.
 */
import { Agent, request } from 'node:http';
import { type Latency, latency } from './stats.js';

export interface PacedOptions {
  url: string;
  ratePerSecond: number;
  seconds: number;
  /** Keep-alive connections (requests beyond them queue in the client, on the clock). */
  connections: number;
  headers: Record<string, string>;
  body: () => string;
}

export interface PacedResult {
  sent: number;
  ok: number;
  failed: number;
  okPerSecond: number;
  latency: Latency;
  /** Latency of the requests due in each second of the run, in order: where the tail is. */
  bySecond: Latency[];
  /**
   * From the due time until the request had a connection to go out on: the part of the
   * latency spent waiting for one of the client's connections to come free, i.e. for an
   * earlier answer on it (open loop: a slow server is still charged for it).
   */
  waitedForConnection: Latency;
}

export function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const samples: number[] = [];
  const secondSamples: number[][] = [];
  const connectionWaits: number[] = [];
  const total = Math.round(options.ratePerSecond * options.seconds);
  const interval = 1000 / options.ratePerSecond;
  let sent = 0;
  let done = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      resolve({
        sent,
        ok,
        failed,
        okPerSecond: ok / ((performance.now() - start) / 1000),
        latency: latency(samples),
        // Array.from, not map: a second with no answer at all is a hole map would skip.
        bySecond: Array.from(secondSamples, (s) => latency(s ?? [])),
        waitedForConnection: latency(connectionWaits),
      });
    };
    const fire = (dueAt: number) => {
      const body = options.body();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
              ok++;
              const took = performance.now() - dueAt;
              samples.push(took);
              const second = Math.floor((dueAt - start) / 1000);
              let bucket = secondSamples[second];
              if (!bucket) {
                bucket = [];
                secondSamples[second] = bucket;
              }
              bucket.push(took);
            } else failed++;
            if (++done === total) finish();
          });
        },
      );
      req.once('socket', () => connectionWaits.push(performance.now() - dueAt));
      req.on('error', () => {
        failed++;
        if (++done === total) finish();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}
