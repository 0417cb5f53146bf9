/**
 * The pack as one zip (fflate: small, dependency-free, maintained; writes and reads). Entries
 * are flat names; reading refuses anything a hostile zip could use to confuse a verifier:
 * folders, paths, a name twice.
 */
import { unzipSync, Zip, ZipDeflate, zipSync } from 'fflate';
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

/**
 * The same zip as writePackZip, a file at a time: each is deflated and handed on before the
 * next is touched, so a server sends the first bytes while it still compresses the rest.
 */
export async function* packZipChunks(
  files: ReadonlyMap<string, Uint8Array>,
  atMs: number,
): AsyncGenerator<Uint8Array> {
  let ready: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else ready.push(chunk);
  });
  const drain = () => {
    if (failure) throw failure;
    const out = ready;
    ready = [];
    return out;
  };
  for (const [name, bytes] of files) {
    const entry = new ZipDeflate(name, { level: 6 });
    entry.mtime = new Date(atMs);
    zip.add(entry);
    entry.push(bytes, true);
    yield* drain();
    // Let the response write what it has before the next file is compressed.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  zip.end();
  yield* drain();
}
