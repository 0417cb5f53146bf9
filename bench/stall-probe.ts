/**
 * What holds the event loop under load: runs a compiled server with bench/stall-hook.mjs
 * (and --cpu-prof), sends arrays (so the rule engine is behind and its windows full, as in
 * the full bench), then single events paced at a fixed rate. Prints, per phase, the GC time
 * per 1,000 events by kind and the stalls; with the profile, charges every stall of the paced
 * phase to the code sampled during it.
 * Usage: node --import tsx bench/stall-probe.ts <main.js>
 *   BENCH_STALL_ARRAYS=<s> (default 20)  BENCH_STALL_PACED=<s> (20)  BENCH_PACED_RATE=<n> (2,900)
 *   BENCH_STALL_PROFILE=0  no CPU profile (it costs the server about a fifth of its speed):
 *                          only the stall and GC figures, for an A/B of two builds
 *   BENCH_STALL_GAP=<s>    (0) seconds of no load between the arrays and the paced phase
 *   BENCH_STALL_KEEP=1     keep the folder (stall-hook output with every request's time in the
 *                          server, the CPU profile, the data) and print it with the paced
 *                          phase's start on the hook's clock
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { constants } from 'node:perf_hooks';
import type { Profile, ProfileNode } from './cpu-profile.js';
import { BodyPool, IdSource } from './fixtures.js';
import { ARRAY_EVENTS, arraysLoad } from './http-load.js';
import { pacedLoad } from './paced-load.js';
import { createIngestKey, spawnEvidentServe } from './server.js';
import { latency, log } from './stats.js';

const main = process.argv[2];
if (!main) {
  console.error('usage: bench/stall-probe.ts <main.js>');
  process.exit(2);
}
const ARRAYS_SECONDS = Number(process.env.BENCH_STALL_ARRAYS ?? 20);
const PACED_SECONDS = Number(process.env.BENCH_STALL_PACED ?? 20);
const RATE = Number(process.env.BENCH_PACED_RATE ?? 2900);
const PROFILE = process.env.BENCH_STALL_PROFILE !== '0';
const GAP_SECONDS = Number(process.env.BENCH_STALL_GAP ?? 0);

interface Span {
  startUs: number;
  endUs: number;
}
interface Gc extends Span {
  kind?: number;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const ms = (us: number) => (us / 1000).toFixed(1);
const length = (s: Span) => s.endUs - s.startUs;
const sum = (spans: readonly Span[]) => spans.reduce((total, s) => total + length(s), 0);

const dir = mkdtempSync(join(tmpdir(), 'evident-stall-'));
const profileDir = join(dir, 'profile');
process.env.STALL_PROBE_OUT = join(dir, 'stalls.json');
const server = await spawnEvidentServe(
  { mode: 'compiled', main },
  join(dir, 'data'),
  [],
  [
    '--import',
    resolve('bench/stall-hook.mjs'),
    ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
  ],
);
const phases: { name: string; span: Span; events: number }[] = [];
try {
  const key = await createIngestKey(server.url);
  const pool = new BodyPool(20_000, new IdSource());
  const url = `${server.url}/api/v1/events`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (ARRAYS_SECONDS > 0) {
    const startUs = nowUs();
    const arrays = await arraysLoad(url, headers, pool, ARRAYS_SECONDS);
    const events = arrays.ok * ARRAY_EVENTS;
    phases.push({ name: 'arrays', span: { startUs, endUs: nowUs() }, events });
    log(`arrays: ${Math.round(arrays.okPerSecond * ARRAY_EVENTS)} events/s`);
  }
  // A pause lets the rule engine catch up first: the paced phase then measures steady load.
  if (GAP_SECONDS > 0) await new Promise((done) => setTimeout(done, GAP_SECONDS * 1000));
  const startUs = nowUs();
  const paced = await pacedLoad({
    url,
    ratePerSecond: RATE,
    seconds: PACED_SECONDS,
    connections: 64,
    headers,
    body: () => pool.event(),
  });
  phases.push({ name: 'paced', span: { startUs, endUs: nowUs() }, events: paced.ok });
  log(
    `paced ${RATE}/s: ${paced.ok} ok, ${paced.failed} failed, p50 ${paced.latency.p50.toFixed(2)} ms, p99 ${paced.latency.p99.toFixed(2)} ms`,
  );
  log(
    `  waited for a free connection: p50 ${paced.waitedForConnection.p50.toFixed(2)} ms, p99 ${paced.waitedForConnection.p99.toFixed(2)} ms, max ${paced.waitedForConnection.max.toFixed(1)} ms`,
  );
  log(
    `  p99 of each second: ${paced.bySecond.map((l) => l.p99.toFixed(0)).join(' ')} ms; max ${paced.bySecond.map((l) => l.max.toFixed(0)).join(' ')} ms`,
  );
} finally {
  await server.stop();
}

const { stalls, gcs, requests } = JSON.parse(readFileSync(process.env.STALL_PROBE_OUT, 'utf8')) as {
  stalls: Span[];
  gcs: Gc[];
  requests: [number, number][];
};
const within = (span: Span) => (s: Span) => s.endUs > span.startUs && s.startUs < span.endUs;
for (const { name, span, events } of phases) {
  const phaseStalls = stalls.filter(within(span));
  log(
    `${name}: ${phaseStalls.length} stalls > 15 ms, ${ms(sum(phaseStalls))} ms in all (${((sum(phaseStalls) / length(span)) * 100).toFixed(1)}% of the phase)`,
  );
  const byKind = new Map<string, Gc[]>();
  for (const g of gcs.filter(within(span))) {
    const kind = GC_KINDS[g.kind ?? -1] ?? `kind ${g.kind}`;
    byKind.set(kind, [...(byKind.get(kind) ?? []), g]);
  }
  for (const [kind, pauses] of byKind) {
    const longest = Math.max(...pauses.map(length));
    log(
      `  GC ${kind}: ${pauses.length} pauses, ${ms(sum(pauses))} ms (${(sum(pauses) / events).toFixed(2)} ms per 1,000 events), ${pauses.filter((p) => length(p) > 8000).length} over 8 ms, longest ${ms(longest)} ms`,
    );
  }
}
const paced = phases.find((p) => p.name === 'paced')!.span;
// The server's own view: from the request event to the response's last byte handed to the
// kernel. The gap to the client's figures is the client, the kernel and the queue before
// the request event (connection backlog, body not yet read).
const inServer = requests
  .filter(([start]) => start >= paced.startUs && start < paced.endUs)
  .map(([start, end]) => (end - start) / 1000);
const serverLatency = latency(inServer);
log(
  `paced, inside the server: ${serverLatency.count} requests, p50 ${serverLatency.p50.toFixed(2)} ms, p99 ${serverLatency.p99.toFixed(2)} ms, max ${serverLatency.max.toFixed(1)} ms`,
);
const pacedStalls = stalls.filter(within(paced));
log(
  `paced stalls, longest first: ${[...pacedStalls]
    .sort((a, b) => length(b) - length(a))
    .slice(0, 12)
    .map((s) => `${ms(length(s))} ms at +${ms(s.startUs - paced.startUs)}`)
    .join(', ')}`,
);
if (PROFILE) attribute(stalls.filter(within(paced)));
if (process.env.BENCH_STALL_KEEP) log(`kept ${dir} paced from ${paced.startUs} µs`);
else rmSync(dir, { recursive: true, force: true });

/**
 * Per profile sample inside a stall: the innermost own frame (what our code was doing) and
 * the outermost (which of our entry points it ran under); outside our code, the leaf itself
 * (GC, a native step of the HTTP server, the profiler).
 */
function attribute(phaseStalls: Span[]): void {
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = (n: ProfileNode) =>
    n.callFrame.url.includes('/src/') && !n.callFrame.url.includes('node_modules');
  const name = (n: ProfileNode) => {
    const { url, functionName, lineNumber } = n.callFrame;
    const at = url.lastIndexOf(url.includes('node_modules') ? 'node_modules/' : 'src/');
    const where = url.startsWith('node:') || at < 0 ? url : url.slice(at);
    return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  };
  const inner = new Map<string, number>();
  const outer = new Map<string, number>();
  const perStall = phaseStalls.map(() => new Map<string, number>());
  /** outermost -> innermost -> time: what each entry point was doing. */
  const within = new Map<string, Map<string, number>>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const sorted = phaseStalls.map((s, i) => ({ ...s, i })).sort((a, b) => a.startUs - b.startUs);
  let t = profile.startTime;
  let cursor = 0;
  for (let k = 0; k < profile.samples.length; k++) {
    t += profile.timeDeltas[k] ?? 0;
    while (cursor < sorted.length && sorted[cursor]!.endUs < t) cursor++;
    const stall = sorted[cursor];
    if (!stall || t < stall.startUs) continue;
    const dt = profile.timeDeltas[k + 1] ?? 0;
    const leaf = byId.get(profile.samples[k]!)!;
    let innermost: string | undefined;
    let outermost: string | undefined;
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (!own(n)) continue;
      innermost ??= name(n);
      outermost = name(n);
    }
    const gc = leaf.callFrame.functionName === '(garbage collector)';
    const a = gc ? '(garbage collector)' : (innermost ?? `not ours: ${name(leaf)}`);
    const b = gc ? '(garbage collector)' : (outermost ?? `not ours: ${name(leaf)}`);
    add(inner, a, dt);
    add(outer, b, dt);
    add(perStall[stall.i]!, b, dt);
    if (!within.has(b)) within.set(b, new Map());
    add(within.get(b)!, a, dt);
  }
  const table = (title: string, m: Map<string, number>) => {
    log(title);
    for (const [k, v] of [...m].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
      log(`  ${ms(v).padStart(8)} ms  ${k}`);
    }
  };
  table('paced stall time by the outermost own frame (the entry point it ran under):', outer);
  table('paced stall time by the innermost own frame:', inner);
  log('inside the five largest own entry points:');
  const entryPoints = [...outer].filter(([k]) => !k.startsWith('(') && !k.startsWith('not ours'));
  for (const [k, v] of entryPoints.sort((x, y) => y[1] - x[1]).slice(0, 5)) {
    log(`  ${k} (${ms(v)} ms):`);
    for (const [k2, v2] of [...within.get(k)!].sort((x, y) => y[1] - x[1]).slice(0, 6)) {
      log(`    ${ms(v2).padStart(8)} ms  ${k2}`);
    }
  }
  log('the ten longest paced stalls:');
  const longest = [...phaseStalls.keys()].sort(
    (a, b) => length(phaseStalls[b]!) - length(phaseStalls[a]!),
  );
  for (const s of longest.slice(0, 10)) {
    const top = [...perStall[s]!]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join('; ');
    log(
      `  ${ms(length(phaseStalls[s]!))} ms at +${ms(phaseStalls[s]!.startUs - paced.startUs)}: ${top}`,
    );
  }
}
