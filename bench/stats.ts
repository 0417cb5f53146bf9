/** Small numeric helpers shared by the scenarios. */

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Exact percentiles (nearest rank) of millisecond samples. */
export function latency(samples: readonly number[]): Latency {
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: 0, mean: 0 };
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: rank(0.5),
    p99: rank(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** The middle value; of an even count, the upper of the two middles. The A/B benches' rounds. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Milliseconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Times `count` sequential calls of `fn` one by one; returns their latencies in ms. */
export async function timeEach(count: number, fn: (i: number) => unknown): Promise<number[]> {
  const samples: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    samples[i] = performance.now() - start;
  }
  return samples;
}

/** µs of CPU (user + system) this process used since `start` (a process.cpuUsage() reading). */
export function cpuTime(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[bench ${t}] ${message}`);
}

/** Milliseconds as the reports print them: two decimals below 10, one above. */
export function ms(n: number): string {
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}
