/**
 * Closed-loop ingest load spread over several server processes: one autocannon instance per
 * server, all started together for the same duration, clients split between them. Like
 * bench/http-load.ts, latencies are autocannon's per-response timings; in addition every
 * 2xx response body is kept, so the ids (and seqs) the servers acknowledged can be checked
 * against the database afterwards.
 */
import autocannon from 'autocannon';
import { type Latency, latency } from '../stats.js';

export interface LoadTarget {
  url: string;
  connections: number;
}

export interface MultiLoadOptions {
  targets: LoadTarget[];
  seconds: number;
  headers: Record<string, string>;
  /** A fresh body per request. */
  body: () => string;
}

export interface Acknowledged {
  id: string;
  seq: number;
}

export interface MultiLoadResult {
  seconds: number;
  ok: number;
  okPerSecond: number;
  /** Non-2xx responses, connection errors and timeouts. */
  failed: number;
  statuses: Record<string, number>;
  latency: Latency;
  perTarget: { url: string; connections: number; ok: number; latency: Latency }[];
  /** Every acknowledged event, from the 201 bodies. */
  acked: Acknowledged[];
}

/** Splits `clients` over `n` servers as evenly as possible (the first ones get the extra). */
export function spread(clients: number, urls: readonly string[]): LoadTarget[] {
  return urls.map((url, i) => ({
    url,
    connections: Math.floor(clients / urls.length) + (i < clients % urls.length ? 1 : 0),
  }));
}

/** POSTs to `<url>/api/v1/events` on every target at once. */
export async function multiLoad(options: MultiLoadOptions): Promise<MultiLoadResult> {
  const runs = await Promise.all(options.targets.map((t) => oneTarget(t, options)));
  const statuses: Record<string, number> = {};
  const samples: number[] = [];
  let ok = 0;
  let failed = 0;
  for (const r of runs) {
    ok += r.samples.length;
    failed += r.failed;
    for (const s of r.samples) samples.push(s);
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  const acked: Acknowledged[] = [];
  for (const r of runs) {
    for (const body of r.bodies) {
      const parsed = JSON.parse(body) as { entries: Acknowledged[] };
      for (const e of parsed.entries) acked.push({ id: e.id, seq: e.seq });
    }
  }
  const longest = Math.max(...runs.map((r) => r.seconds));
  return {
    seconds: longest,
    ok,
    okPerSecond: ok / longest,
    failed,
    statuses,
    latency: latency(samples),
    perTarget: runs.map((r, i) => ({
      url: options.targets[i]!.url,
      connections: options.targets[i]!.connections,
      ok: r.samples.length,
      latency: latency(r.samples),
    })),
    acked,
  };
}

interface TargetRun {
  seconds: number;
  samples: number[];
  bodies: string[];
  failed: number;
  statuses: Record<string, number>;
}

function oneTarget(target: LoadTarget, options: MultiLoadOptions): Promise<TargetRun> {
  const samples: number[] = [];
  const bodies: string[] = [];
  const statuses: Record<string, number> = {};
  // A plain variable, not a literal: autocannon's typings (bench/autocannon.d.ts) do not list
  // onResponse, which it calls with every response body.
  const request = {
    method: 'POST',
    path: '/api/v1/events',
    headers: options.headers,
    setupRequest: (r: object) => ({ ...r, body: options.body() }),
    onResponse: (status: number, body: string) => {
      if (status >= 200 && status < 300) bodies.push(body);
    },
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: target.connections,
        duration: options.seconds,
        timeout: 30,
        requests: [request],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          seconds: result.duration,
          samples,
          bodies,
          failed: result.non2xx + result.errors + result.timeouts,
          statuses,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) samples.push(ms);
    });
  });
}
