/** The machine the figures were taken on, and who else was using its CPUs meanwhile. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  sqlite: string;
  betterSqlite3: string;
  kernel: string;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const db = new Database(':memory:');
  const sqlite = String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
  db.close();
  const pkg = JSON.parse(
    readFileSync(new URL('../node_modules/better-sqlite3/package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return {
    cpuModel: mhz ? `${model} @ ${Math.round(Number(mhz))} MHz` : model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    sqlite,
    betterSqlite3: pkg.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    loadAverage: loadavg(),
  };
}

interface CpuSnapshot {
  /** All CPUs, in clock ticks. */
  busy: number;
  total: number;
  steal: number;
  /** utime + stime of the watched processes, in clock ticks. */
  ours: Map<number, number>;
  /** The same for each process's main thread (the event loop). */
  main: Map<number, number>;
  /** Bytes each process caused to be written to storage (/proc/<pid>/io write_bytes). */
  written: Map<number, number>;
}

export interface CpuShare {
  /** Percent of the whole machine (all cores = 100). */
  machineBusy: number;
  /** Per watched process, percent of ONE core. */
  processes: Record<string, number>;
  /** Per watched process, its main thread's percent of one core. */
  mainThreads: Record<string, number>;
  /** Per watched process, bytes written to storage. */
  writtenBytes: Record<string, number>;
  /** Busy time of every other process on the machine, in cores. */
  othersCores: number;
  steal: number;
}

function snapshot(pids: number[]): CpuSnapshot {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  const ours = new Map<number, number>();
  const main = new Map<number, number>();
  const written = new Map<number, number>();
  for (const pid of pids) {
    ours.set(pid, ticks(`/proc/${pid}/stat`));
    main.set(pid, ticks(`/proc/${pid}/task/${pid}/stat`));
    written.set(pid, writtenBytes(pid));
  }
  return { busy, total: busy + idle! + iowait! + steal!, steal: steal!, ours, main, written };
}

/** Bytes a process has caused to be written to storage so far (/proc/<pid>/io). */
export function writtenBytes(pid = process.pid): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/^write_bytes: (\d+)$/m.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** utime + stime from a /proc stat file, in clock ticks (0 if the process is gone). */
function ticks(file: string): number {
  try {
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Watches CPU use while a scenario runs: the machine, each named process (the load
 * generator is this process) and everything else, which on a shared box is noise to report.
 */
export function watchCpu(processes: Record<string, number>): () => CpuShare {
  const pids = Object.values(processes);
  const before = snapshot(pids);
  return () => {
    const after = snapshot(pids);
    const total = after.total - before.total || 1;
    const cores = cpus().length;
    const shares: Record<string, number> = {};
    const mainThreads: Record<string, number> = {};
    const writtenBytes: Record<string, number> = {};
    const delta = (m: 'ours' | 'main' | 'written', pid: number) =>
      (after[m].get(pid) ?? 0) - (before[m].get(pid) ?? 0);
    let oursTicks = 0;
    for (const [name, pid] of Object.entries(processes)) {
      oursTicks += delta('ours', pid);
      shares[name] = (delta('ours', pid) / total) * cores * 100;
      mainThreads[name] = (delta('main', pid) / total) * cores * 100;
      writtenBytes[name] = delta('written', pid);
    }
    return {
      machineBusy: ((after.busy - before.busy) / total) * 100,
      processes: shares,
      mainThreads,
      writtenBytes,
      othersCores: Math.max(0, ((after.busy - before.busy - oursTicks) / total) * cores),
      steal: ((after.steal - before.steal) / total) * 100,
    };
  };
}
