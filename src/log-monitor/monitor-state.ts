/**
 * What a log monitor remembers between runs: the last checkpoint it accepted. Written whole
 * to a temporary file, fsynced and renamed over the old one, so a crash leaves either the old
 * or the new state, never half of one; 0600, as it reveals which log an auditor watches.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';

export interface MonitorState {
  url: string;
  origin: string;
  size: number;
  /** base64 root hash of `size`. */
  root_hash: string;
  /** The signed checkpoint as served, with its cosignature lines. */
  checkpoint: string;
  /** RFC 3339 UTC: when the monitor accepted it. */
  seen_at: string;
}

export function readMonitorState(file: string): MonitorState | undefined {
  if (!existsSync(file)) return undefined;
  let state: Partial<MonitorState>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Partial<MonitorState>;
  } catch (error) {
    throw new Error(`the monitor state ${file} is not JSON: ${(error as Error).message}`);
  }
  if (
    typeof state.origin !== 'string' ||
    !Number.isSafeInteger(state.size) ||
    typeof state.root_hash !== 'string' ||
    typeof state.checkpoint !== 'string'
  ) {
    throw new Error(`the monitor state ${file} lacks origin, size, root_hash or checkpoint`);
  }
  return state as MonitorState;
}

export function writeMonitorState(file: string, state: MonitorState): void {
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
