/**
 * The pack as one zip (fflate: small, dependency-free, maintained; writes and reads). Entries
 * are flat names; reading refuses anything a hostile zip could use to confuse a verifier:
 * folders, paths, a name twice.
 */
import { unzipSync, zipSync } from 'fflate';
import { PACK_FILE_NAME } from './pack-manifest.js';

/** Deflated zip of `files` in the given order, each stamped with `atMs`. */
export function writePackZip(files: ReadonlyMap<string, Uint8Array>, atMs: number): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 6 }]> = {};
  for (const [name, bytes] of files) entries[name] = [bytes, { mtime: new Date(atMs), level: 6 }];
  return zipSync(entries);
}

/** The files of a pack zip, by name; throws an Error naming what is wrong with the zip. */
export function readPackZip(zip: Uint8Array): Map<string, Uint8Array> {
  const seen = new Set<string>();
  let problem: string | undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        if (seen.has(file.name)) problem ??= `the zip holds "${file.name}" twice`;
        else if (!PACK_FILE_NAME.test(file.name))
          problem ??= `the zip holds "${file.name}", not a pack file name`;
        seen.add(file.name);
        return true;
      },
    });
  } catch (cause) {
    throw new Error(`not a readable zip: ${(cause as Error).message}`, { cause });
  }
  if (problem !== undefined) throw new Error(problem);
  return new Map(Object.entries(files));
}
