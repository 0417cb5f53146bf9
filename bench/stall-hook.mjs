/**
 * Loaded into a server under test (`node --import bench/stall-hook.mjs`, bench/stall-probe.ts):
 * records every stretch in which a 5 ms timer could not run for more than 15 ms, and every GC
 * pause, and each HTTP request's time inside the server (from its 'request' event to the
 * response's last byte), with process.hrtime (CLOCK_MONOTONIC, the clock V8's --cpu-prof
 * samples carry), and writes them to STALL_PROBE_OUT when the process exits, with one reading
 * of both clocks so other logs in wall time can be lined up with them.
 */
import { writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const TICK_MS = 5;
const STALL_MS = 15;
const out = process.env.STALL_PROBE_OUT;
const stalls = [];
const gcs = [];
/** Each request's time inside the server: [arrived, answered] in µs, for the client's tail. */
const requests = [];
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

const emit = Server.prototype.emit;
Server.prototype.emit = function (event, ...args) {
  if (event === 'request') {
    const startUs = nowUs();
    // args: the request and the response; 'finish' is the last byte handed to the kernel.
    args[1].once('finish', () => requests.push([startUs, nowUs()]));
  }
  return emit.call(this, event, ...args);
};

process.on('exit', () => {
  if (out)
    writeFileSync(
      out,
      JSON.stringify({ stalls, gcs, requests, clock: { us: nowUs(), epochMs: Date.now() } }),
    );
});
