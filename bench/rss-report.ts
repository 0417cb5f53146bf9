/**
 * The "Server memory while ingesting 10M" section of BENCHMARKS.md, from the samples
 * bench/rss-ingest.ts takes (also readable from its samples.jsonl: `node --import tsx
 * bench/rss-report.ts <samples.jsonl> <target>` reports a run that was stopped).
 */
import { readFileSync } from 'node:fs';
import type { CpuShare } from './machine.js';

export interface RssSample {
  seconds: number;
  /** Entries acknowledged so far. */
  entries: number;
  rssKiB: number;
  /** VmHWM: the highest RSS the process has had. */
  hwmKiB: number;
  /** RssAnon and RssFile: the anonymous and file-backed parts of rssKiB (absent in older samples). */
  rssAnonKiB?: number;
  rssFileKiB?: number;
  load1: number;
}

/** The target: the server's RSS stays under this while ingesting 10M entries. */
export const RSS_LIMIT_MB = 300;

const mb = (kib: number) => (kib * 1024) / 1e6;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Least-squares slope of RSS (MB) against entries (millions) over `samples`. */
export function rssSlope(samples: readonly RssSample[]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const s of samples) {
    sx += s.entries / 1e6;
    sy += mb(s.rssKiB);
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.entries / 1e6 - mx) * (mb(s.rssKiB) - my);
    den += (s.entries / 1e6 - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function memoryReport(
  samples: readonly RssSample[],
  run: { target: number; clients: number; failed?: number; cpu?: CpuShare },
): string {
  const last = samples.at(-1);
  if (!last) return '(no samples)';
  const reached = last.entries;
  const maxRss = Math.max(...samples.map((s) => s.rssKiB));
  const hwm = Math.max(...samples.map((s) => s.hwmKiB));
  const rate = reached / last.seconds;
  // Deciles by entries reached: where the curve starts, and where it ends.
  const decile = (k: number) =>
    samples.filter((s) => s.entries >= (reached * k) / 10 && s.entries <= (reached * (k + 1)) / 10);
  const mean = (xs: readonly RssSample[], f: (s: RssSample) => number) =>
    xs.length === 0 ? Number.NaN : xs.reduce((a, s) => a + f(s), 0) / xs.length;
  const rateOf = (xs: readonly RssSample[]) => {
    const a = xs[0];
    const b = xs.at(-1);
    return a && b && b.seconds > a.seconds
      ? (b.entries - a.entries) / (b.seconds - a.seconds)
      : Number.NaN;
  };
  const first = decile(0);
  const tail = decile(9);
  const secondHalf = samples.filter((s) => s.entries >= reached / 2);
  const curve = Array.from({ length: 10 }, (_, k) => {
    const d = decile(k);
    return `| ${fmt((reached * k) / 10 / 1e6, 2)}–${fmt((reached * (k + 1)) / 10 / 1e6, 2)}M | ${fmt(mb(Math.max(...d.map((s) => s.rssKiB))), 0)} | ${fmt(
      mean(d, (s) => mb(s.rssKiB)),
      0,
    )} | ${fmt(rateOf(d))} | ${fmt(
      mean(d, (s) => s.load1),
      1,
    )} |`;
  });
  const loads = samples.map((s) => s.load1);
  const cpu = run.cpu;
  return [
    '## Server memory while ingesting 10M',
    '',
    `Measured with \`node --import tsx bench/rss-ingest.ts\` (bench/rss-ingest.ts): the compiled \`evident serve\` on a fresh log,`,
    `${run.clients} clients posting JSON arrays of 500 events as fast as acks come back (each 201 = committed,`,
    "fsynced, checkpointed), the server's VmRSS and VmHWM read from /proc every second.",
    '',
    '| Figure | Measured | Limit | vs limit |',
    '| --- | --- | --- | --- |',
    `| Entries ingested | ${fmt(reached)} in ${fmt(last.seconds)} s (${fmt(rate)} events/s${run.failed ? `, ${run.failed} refused requests` : ''}) | ${fmt(run.target)} | ${fmt(reached / run.target, 2)} |`,
    `| **Max RSS of the server** | **${fmt(mb(maxRss))} MB** (VmHWM ${fmt(mb(hwm))} MB) | < ${RSS_LIMIT_MB} MB | ${fmt(mb(Math.max(maxRss, hwm)) / RSS_LIMIT_MB, 2)}× ${mb(Math.max(maxRss, hwm)) < RSS_LIMIT_MB ? '✅' : '❌'} |`,
    `| RSS, first decile of entries → last | ${fmt(mean(first, (s) => mb(s.rssKiB)))} MB → ${fmt(mean(tail, (s) => mb(s.rssKiB)))} MB | | |`,
    `| RSS slope over the second half | ${fmt(rssSlope(secondHalf), 2)} MB per million entries | 0 (no per-entry state) | |`,
    `| Ingest rate, first decile → last | ${fmt(rateOf(first))} → ${fmt(rateOf(tail))} events/s | | |`,
    '',
    '| Entries | Max RSS (MB) | Mean RSS (MB) | Events/s | Load average |',
    '| --- | --- | --- | --- | --- |',
    ...curve,
    '',
    `Machine: load average ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} during the run${
      cpu
        ? `; the server used ${fmt((cpu.processes.server ?? 0) / 100, 2)} cores, the load generator ${fmt((cpu.processes['load generator'] ?? 0) / 100, 2)}, other processes ${fmt(cpu.othersCores, 2)} (machine busy ${fmt(cpu.machineBusy)}%)`
        : ''
    }.`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('rss-report.ts')) {
  const [file, target] = process.argv.slice(2);
  const samples = readFileSync(file!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RssSample);
  console.log(memoryReport(samples, { target: Number(target || 10_000_000), clients: 4 }));
}
