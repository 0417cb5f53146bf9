import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { Clock } from '../../util/clock.js';
import {
  type ProbeReading,
  readChronycTracking,
  readNtpstat,
  readTimedatectl,
} from './sync-probes.js';

/** What /healthz reports under `clock`. */
export interface ClockSyncStatus {
  /** null: no method could tell (see `reason`). */
  synchronized: boolean | null;
  /** The method that answered, or 'none'. */
  method: string;
  checkedAtMs: number;
  reason?: string;
}

export interface ClockSyncSource {
  /** Never throws; may answer from a cache. */
  status(): Promise<ClockSyncStatus>;
}

export interface CommandResult {
  /** null when the command could not run (`error` says why, e.g. ENOENT). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface ClockSyncProbeOptions {
  clock: Clock;
  run?: (command: string, args: string[]) => Promise<CommandResult>;
  fileExists?: (path: string) => Promise<boolean>;
  /** How long a result is reused (default a minute). */
  ttlMs?: number;
  /** Longest a caller waits for the first result (default 1 s); later callers never wait. */
  waitMs?: number;
}

/** systemd-timesyncd touches this file once it has synchronised (systemd ≥ 246). */
export const TIMESYNCD_FLAG = '/run/systemd/timesync/synchronized';
const COMMAND_TIMEOUT_MS = 2000;

/**
 * Whether the host clock is synchronised (ISO 27001 A.8.17), asked of the tools the host
 * has, in order: timedatectl, chronyc, ntpstat, then systemd-timesyncd's flag file. Node
 * cannot call adjtimex(2) without a native addon, so the kernel's own STA_UNSYNC flag is read
 * only through those tools. A result is cached for `ttlMs`; a stale one is served while a
 * fresh one is fetched, so a health probe never waits on a slow command.
 */
export class ClockSyncProbe implements ClockSyncSource {
  private cached: ClockSyncStatus | undefined;
  private refreshing: Promise<ClockSyncStatus> | undefined;
  private readonly run: NonNullable<ClockSyncProbeOptions['run']>;
  private readonly fileExists: NonNullable<ClockSyncProbeOptions['fileExists']>;

  constructor(private readonly options: ClockSyncProbeOptions) {
    this.run = options.run ?? runCommand;
    this.fileExists = options.fileExists ?? exists;
  }

  async status(): Promise<ClockSyncStatus> {
    const now = this.options.clock.now();
    const fresh = this.cached && now - this.cached.checkedAtMs < (this.options.ttlMs ?? 60_000);
    if (fresh) return this.cached!;
    const refresh = this.refresh();
    if (this.cached) return this.cached;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<ClockSyncStatus>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            synchronized: null,
            method: 'none',
            checkedAtMs: now,
            reason: 'the first check is still running',
          }),
        this.options.waitMs ?? 1000,
      );
    });
    try {
      return await Promise.race([refresh, waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  private refresh(): Promise<ClockSyncStatus> {
    this.refreshing ??= this.probe()
      .catch(
        (error: unknown): ClockSyncStatus => ({
          synchronized: null,
          method: 'none',
          checkedAtMs: this.options.clock.now(),
          reason: `check failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
      )
      .then((status) => {
        this.cached = status;
        return status;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async probe(): Promise<ClockSyncStatus> {
    const reasons: string[] = [];
    const answer = (method: string, reading: ProbeReading): ClockSyncStatus | undefined => {
      if ('synchronized' in reading) {
        return {
          synchronized: reading.synchronized,
          method,
          checkedAtMs: this.options.clock.now(),
        };
      }
      reasons.push(`${method}: ${reading.unknown}`);
      return undefined;
    };
    const attempt = async (
      method: string,
      command: string,
      args: string[],
      read: (r: CommandResult) => ProbeReading,
    ) => {
      const result = await this.run(command, args);
      if (result.exitCode === null) {
        reasons.push(`${method}: ${result.error ?? 'could not run'}`);
        return undefined;
      }
      return answer(method, read(result));
    };
    const failed = (r: CommandResult, read: (stdout: string) => ProbeReading): ProbeReading =>
      r.exitCode === 0 ? read(r.stdout) : { unknown: firstLine(r.stderr) || `exit ${r.exitCode}` };
    const found =
      (await attempt(
        'timedatectl',
        'timedatectl',
        ['show', '-p', 'NTPSynchronized', '--value'],
        (r) => failed(r, readTimedatectl),
      )) ??
      (await attempt('chronyc', 'chronyc', ['-n', 'tracking'], (r) =>
        failed(r, readChronycTracking),
      )) ??
      (await attempt('ntpstat', 'ntpstat', [], (r) => readNtpstat(r.exitCode!)));
    if (found) return found;
    if (await this.fileExists(TIMESYNCD_FLAG)) {
      return answer('systemd-timesyncd', { synchronized: true })!;
    }
    reasons.push(`systemd-timesyncd: no ${TIMESYNCD_FLAG}`);
    return {
      synchronized: null,
      method: 'none',
      checkedAtMs: this.options.clock.now(),
      reason: reasons.join('; '),
    };
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]!.slice(0, 200);
}

/** Runs a command with a timeout and the C locale (parsers read English output). */
export function runCommand(command: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: COMMAND_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' }, windowsHide: true },
      (error, stdout, stderr) => {
        const code = error?.code;
        if (typeof code === 'string') {
          const why = code === 'ENOENT' ? 'not installed' : code;
          resolve({ exitCode: null, stdout: '', stderr: '', error: why });
        } else if (error?.killed) {
          resolve({ exitCode: null, stdout: '', stderr: '', error: 'timed out' });
        } else {
          resolve({ exitCode: code ?? (error ? 1 : 0), stdout, stderr });
        }
      },
    );
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
