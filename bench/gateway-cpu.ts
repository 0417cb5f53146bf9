/**
 * CPU time per party for `bench/gateway.ts`, read from /proc (utime + stime, clock ticks),
 * so the figures hold up on a shared machine where TPS does not: what pgbench, the
 * PostgreSQL backends serving it, the gateway and the Evident server each spent.
 */
import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

/** Clock ticks per second of /proc stat fields (USER_HZ; 100 on Linux everywhere we run). */
const TICKS_PER_SECOND = 100;

function statFields(pid: number | 'self'): string[] | undefined {
  try {
    // The command name (field 2) may hold spaces; fields after it are plain numbers.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a live process, in seconds; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : 0;
}

/**
 * cutime + cstime of this process: the CPU of children it has waited for. A child's CPU
 * lands here when it exits and is reaped, which is how an exited pgbench is measured.
 */
export function reapedChildrenCpuSeconds(): number {
  const f = statFields('self')!;
  return (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

/**
 * Follows the PostgreSQL backends serving one benchmark run (found by a pg_stat_activity
 * condition) and keeps each one's last-seen CPU. Backends exit with their client, so what
 * a backend spends after the last sample (at most `everyMs`) is missed: a small undercount.
 */
export class BackendCpu {
  private readonly seen = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly admin: Client,
    /** A WHERE condition on pg_stat_activity, with $1 bound to `value`. */
    private readonly where: string,
    private readonly value: string,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.sample()).catch(() => {});
    }, this.everyMs);
  }

  /** Total CPU seconds of every backend seen, after one last sample. */
  async stop(): Promise<{ seconds: number; backends: number }> {
    clearInterval(this.timer);
    await this.polling;
    await this.sample();
    let seconds = 0;
    for (const s of this.seen.values()) seconds += s;
    return { seconds, backends: this.seen.size };
  }

  private async sample(): Promise<void> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where ${this.where}`,
      [this.value],
    );
    for (const { pid } of rows) {
      const cpu = processCpuSeconds(pid);
      if (cpu > (this.seen.get(pid) ?? 0)) this.seen.set(pid, cpu);
    }
  }
}
