import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The highest nice value (the lowest priority) on Linux. */
const MAX_NICE = 19;

/**
 * Raises the calling thread's nice value by `by` (a lower CPU priority), so that when the cores
 * are busy the scheduler serves the process's other threads first. On Linux the nice value is
 * a per-thread attribute (setpriority(2), NOTES), and /proc/thread-self names the calling
 * thread's id; raising one's own nice value needs no privilege. Elsewhere, or where /proc is
 * not mounted, nothing changes: the thread keeps the process's priority.
 */
export function lowerThisThreadPriority(by: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(MAX_NICE, getPriority(tid) + by));
    return true;
  } catch {
    return false;
  }
}
