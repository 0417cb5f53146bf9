import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Writes a response body to `out` ('-': stdout), beside the target first and renamed at the
 * end, so a cut-short download never sits under the name asked for. Resolves with its bytes.
 */
export async function download(response: Response, out: string): Promise<number> {
  const toStdout = out === '-';
  const partial = `${out}.partial`;
  const sink: Writable = toStdout ? process.stdout : createWriteStream(partial, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!sink.write(chunk)) await once(sink, 'drain');
      bytes += chunk.length;
    }
    if (!toStdout) {
      sink.end();
      await once(sink, 'finish');
      renameSync(partial, out);
    }
  } catch (error) {
    if (!toStdout) rmSync(partial, { force: true });
    throw error;
  }
  return bytes;
}
