import { existsSync, readFileSync } from 'node:fs';
import { generateSignerKey, type NoteSigner, parseSignerKey } from '../core/note.js';
import { writeSecretFile } from '../util/secret-file.js';

/**
 * The log's Ed25519 signing key, kept in Go's sumdb/note text form
 * (`PRIVATE+KEY+<name>+<id>+<base64>`) in a 0600 file, so standard tools can use it too.
 * Made on first start; the key name is the log's origin.
 */
export function loadOrCreateLogKey(
  file: string,
  origin: string,
): { signer: NoteSigner; created: boolean } {
  if (existsSync(file)) {
    const signer = parseSignerKey(readFileSync(file, 'utf8').trim());
    if (signer.name !== origin) {
      throw new Error(
        `the log key in ${file} is for origin "${signer.name}", but this log's origin is "${origin}"`,
      );
    }
    return { signer, created: false };
  }
  const text = generateSignerKey(origin);
  writeSecretFile(file, `${text}\n`);
  return { signer: parseSignerKey(text), created: true };
}
