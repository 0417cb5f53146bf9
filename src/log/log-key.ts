import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../core/bytes.js';
import type { LogKeyPeriod } from '../core/key-history.js';
import {
  formatVerifierKey,
  generateSignerKey,
  type NoteSigner,
  parseSignerKey,
} from '../core/note.js';
import { dataPaths } from '../data-folder.js';
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
  if (existsSync(file)) return { signer: readKey(file, origin), created: false };
  const text = generateSignerKey(origin);
  writeSecretFile(file, `${text}\n`);
  return { signer: parseSignerKey(text), created: true };
}

/**
 * The key of an existing log, whose current verifier key the store records. The data folder's
 * `log.key` is the current key; a rotation stages the next key beside it as
 * `log.key.<key id>.new` and, once the handover is committed, keeps the old one as
 * `log.key.<key id>.retired` and renames the new one over `log.key`. If the rotation stopped
 * in between (or the staged key was copied here from the server that rotated), this finishes
 * the job. Never makes a key: a missing or retired key is an error that says what to copy.
 */
export function loadCurrentLogKey(
  dataDir: string,
  origin: string,
  currentVerifierKey: string,
  history: readonly LogKeyPeriod[] | undefined,
): NoteSigner {
  const file = dataPaths(dataDir).logKey;
  const found = findLogKey(dataDir, origin, currentVerifierKey);
  if (found?.file === file) return found.signer;
  if (found) {
    installLogKey(dataDir, found.file);
    return found.signer;
  }
  if (!existsSync(file)) {
    throw new Error(
      `no log key in ${file}; this log is signed by ${currentVerifierKey}: copy its log.key here (mode 0600)`,
    );
  }
  const held = readKey(file, origin);
  const verifierKey = formatVerifierKey(held.name, held.publicKey);
  const retired = history?.find((p) => p.verifierKey === verifierKey && p.untilSize !== null);
  if (retired) {
    throw new Error(
      `the key in ${file} (key id ${retired.keyId}) was retired at tree size ${retired.untilSize}; this log is now signed by ${currentVerifierKey}. Copy the current log.key from the server where \`evident keys rotate-log-key\` ran (docs/operations.md, "Rotating the log key").`,
    );
  }
  throw new Error(
    `this log is signed with ${currentVerifierKey}; the key in ${file} is ${verifierKey}. Use the log's own key file.`,
  );
}

/** The signer for `verifierKey` among `log.key` and the staged keys of the folder, if any. */
export function findLogKey(
  dataDir: string,
  origin: string,
  verifierKey: string,
): { signer: NoteSigner; file: string } | undefined {
  const current = dataPaths(dataDir).logKey;
  const candidates = [current, ...stagedLogKeys(dataDir).map((s) => s.file)];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const signer = readKey(file, origin);
    if (formatVerifierKey(signer.name, signer.publicKey) === verifierKey) return { signer, file };
  }
  return undefined;
}

const STAGED = /^log\.key\.([0-9a-f]{8})\.new$/;

/** Keys staged for a rotation (`log.key.<key id>.new`), by file name. */
export function stagedLogKeys(dataDir: string): { file: string; keyId: string }[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .map((name) => STAGED.exec(name))
    .filter((m) => m !== null)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map((m) => ({ file: join(dataDir, m[0]), keyId: m[1]! }));
}

/** Makes a new key for `origin` and stages it as `log.key.<key id>.new` (0600). */
export function stageLogKey(dataDir: string, origin: string): { signer: NoteSigner; file: string } {
  const text = generateSignerKey(origin);
  const signer = parseSignerKey(text);
  const file = join(dataDir, `log.key.${toHex(signer.keyId)}.new`);
  writeSecretFile(file, `${text}\n`);
  syncDir(dataDir);
  return { signer, file };
}

/** A staged key's signer (its file name must carry its key id). */
export function readStagedKey(file: string, origin: string): NoteSigner {
  const signer = readKey(file, origin);
  if (!file.endsWith(`log.key.${toHex(signer.keyId)}.new`))
    throw new Error(`${file} holds key ${toHex(signer.keyId)}, not the one its name says`);
  return signer;
}

/**
 * Makes the staged key the folder's `log.key`: the present key is kept as
 * `log.key.<key id>.retired` (0600), then the staged file is renamed over `log.key`, which is
 * atomic, so a restart at any moment finds either key, never none.
 */
export function installLogKey(dataDir: string, stagedFile: string): void {
  const file = dataPaths(dataDir).logKey;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const retired = join(dataDir, `log.key.${toHex(parseSignerKey(text.trim()).keyId)}.retired`);
    if (!existsSync(retired)) writeSecretFile(retired, text);
    else if (readFileSync(retired, 'utf8') !== text)
      throw new Error(`${retired} exists and holds another key; move it away and retry`);
  }
  renameSync(stagedFile, file);
  syncDir(dataDir);
}

function readKey(file: string, origin: string): NoteSigner {
  const signer = parseSignerKey(readFileSync(file, 'utf8').trim());
  if (signer.name !== origin) {
    throw new Error(
      `the log key in ${file} is for origin "${signer.name}", but this log's origin is "${origin}"`,
    );
  }
  return signer;
}

/** fsync the folder so a created or renamed key file survives a power loss. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
