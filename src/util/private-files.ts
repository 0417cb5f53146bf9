import {
  chmodSync,
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder holds every event, password hashes and the keys: only its owner may read
 * it. Modes are set explicitly (chmod), not left to the umask, which can only take bits away
 * and is often 022 (folders 0755, files 0644).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) owner-only; an existing folder is left as it is. */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates an empty owner-only file unless it exists. SQLite gives its -wal and -shm files the
 * mode of the database file, so making the database this way keeps those private too.
 */
export function ensurePrivateFile(file: string): void {
  if (existsSync(file)) return;
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** The folder and the files directly in it that its group or others may read, write or enter. */
export function exposedPaths(dir: string): { path: string; mode: number }[] {
  if (!existsSync(dir)) return [];
  const found: { path: string; mode: number }[] = [];
  const check = (path: string) => {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) found.push({ path, mode });
  };
  check(dir);
  for (const name of readdirSync(dir).sort()) check(join(dir, name));
  return found;
}

/** One warning line per exposed path, saying how to fix it. */
export function exposureWarnings(dir: string): string[] {
  return exposedPaths(dir).map(
    ({ path, mode }) =>
      `warning: ${path} is readable by others (mode 0${mode.toString(8)}); run chmod ${
        path === dir ? '700' : '600'
      } ${path}`,
  );
}
