/**
 * Loaded into a server under test (`node --import bench/stall-hook.mjs`, bench/stall-probe.ts):
 * records every stretch in which a 5 ms timer could not run for more than 15 ms, and every GC
 * pause, with process.hrtime (CLOCK_MONOTONIC, the clock V8's --cpu-prof samples
 * carry), and writes them to STALL_PROBE_OUT when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const TICK_MS = 5;
const STALL_MS = 15;
const out = process.env.STALL_PROBE_OUT;
const stalls = [];
const gcs = [];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

let last = nowUs();
setInterval(() => {
  const now = nowUs();
  if ((now - last) / 1000 - TICK_MS > STALL_MS) stalls.push({ startUs: last, endUs: now });
  last = now;
}, TICK_MS).unref();

new PerformanceObserver((list) => {
  const offsetUs = nowUs() - performance.now() * 1000;
  for (const entry of list.getEntries()) {
    const startUs = Math.round(offsetUs + entry.startTime * 1000);
    gcs.push({
      startUs,
      endUs: startUs + Math.round(entry.duration * 1000),
      kind: entry.detail?.kind,
    });
  }
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify({ stalls, gcs }));
});
