/**
 * A directory of bundles. A bundle is written under a temporary name, fsynced, renamed to its
 * final name, and the directory fsynced: after a crash at any point the final name holds
 * either nothing or the whole bundle, and once put() resolves the bundle survives a power
 * loss (the rename itself is durable).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bytesEqual } from '../../../core/bytes.js';
import { sha256 } from '../../../core/hash.js';
import { type ArchiveTarget, ArchiveTargetError } from './archive-target.js';

/** Temporary names start with this: never a bundle name, so a reader never mistakes one. */
export const PARTIAL_PREFIX = '.partial-';

export function directoryTarget(directory: string): ArchiveTarget {
  const dir = resolve(directory);
  const locate = (name: string) => join(dir, name);
  return {
    locate,
    async put(name, bytes) {
      const final = locate(name);
      const partial = join(dir, `${PARTIAL_PREFIX}${randomBytes(6).toString('hex')}-${name}`);
      try {
        await mkdir(dir, { recursive: true });
        const file = await open(
          partial,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
          0o600,
        );
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(partial, final);
        await syncDirectory(dir);
      } catch (cause) {
        await rm(partial, { force: true }).catch(() => {});
        throw new ArchiveTargetError(
          'write_failed',
          `could not write ${final}: ${(cause as Error).message}`,
          { cause },
        );
      }
      // Read back what the final name holds: the bytes a restore will get.
      const stored = await readFile(final);
      if (!bytesEqual(sha256(new Uint8Array(stored)), sha256(bytes)))
        throw new ArchiveTargetError('not_confirmed', `${final} does not read back as written`);
      return final;
    },
    async get(name) {
      try {
        return new Uint8Array(await readFile(locate(name)));
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
          throw new ArchiveTargetError('not_found', `no bundle ${locate(name)}`, { cause });
        throw cause;
      }
    },
  };
}

/** fsync of the directory makes the rename durable (POSIX: the entry lives in the directory). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
