/**
 * Summarises a V8 .cpuprofile (`node --cpu-prof`): the functions with the most self time and
 * the most inclusive time, as percentages of the sampled time. Also a CLI:
 *   node --import tsx bench/cpu-profile.ts <file.cpuprofile>… [top]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  /** When sampling began, in µs of CLOCK_MONOTONIC (process.hrtime's clock). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  /** Percent of all samples. */
  selfPercent: number;
  totalPercent: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Percent of samples where the process was idle (waiting for I/O). */
  idlePercent: number;
  self: HotSpot[];
  total: HotSpot[];
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const node = byId.get(profile.samples[i]!)!;
    const name = label(node);
    if (name === '(idle)') idle += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = label(byId.get(id)!);
      if (seen.has(n)) continue;
      seen.add(n);
      total.set(n, (total.get(n) ?? 0) + dt);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([name]) => !name.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name]) => ({
        name,
        selfPercent: ((self.get(name) ?? 0) / all) * 100,
        totalPercent: ((total.get(name) ?? 0) / all) * 100,
      }));
  return {
    sampledMs: all / 1000,
    idlePercent: (idle / all) * 100,
    self: rank(self),
    total: rank(total).filter((h) => !['(program)', '(idle)'].includes(h.name)),
  };
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName === '' ? '(anonymous)' : functionName;
  const path = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
  return `${functionName || '(anonymous)'} ${path}:${lineNumber + 1}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
  const files = args.filter((a) => !/^\d+$/.test(a));
  if (files.length === 0) throw new Error('usage: cpu-profile.ts <file.cpuprofile>… [top]');
  for (const file of files) {
    const summary = summariseProfile(file, top);
    console.log(
      `${file}: sampled ${summary.sampledMs.toFixed(0)} ms, idle ${summary.idlePercent.toFixed(1)}%`,
    );
    console.log('self time:');
    for (const h of summary.self)
      console.log(`${h.selfPercent.toFixed(1).padStart(6)}%  ${h.name}`);
    console.log('inclusive time:');
    for (const h of summary.total)
      console.log(`${h.totalPercent.toFixed(1).padStart(6)}%  ${h.name}`);
    console.log('');
  }
}
