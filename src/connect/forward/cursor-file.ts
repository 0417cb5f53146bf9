/**
 * The forwarder's durable position: the seq of the last entry the receiver acknowledged.
 * Replaced atomically (temp file, fsync, rename, fsync of the folder), so a crash leaves
 * either the old or the new position, never a torn one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function readCursor(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) {
    throw new Error(
      `cursor file ${path} holds "${text.slice(0, 40)}", not a seq; fix or remove it`,
    );
  }
  return Number(text);
}

export function writeCursor(path: string, seq: number): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${seq}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
