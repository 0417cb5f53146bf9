/** C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): a tree head as a signed-note body. */
import { fromBase64, toBase64 } from './bytes.js';
import { CoreError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import {
  isWellFormedText,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  signNote,
} from './note.js';

export interface Checkpoint {
  /** The log's identity; by our convention (the spec's SHOULD) also its key name. */
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Opaque non-empty lines after the root hash; NOT RECOMMENDED by the spec. */
  extensions: string[];
}

// tlog-checkpoint §Note text: decimal, no leading zeroes unless the tree is empty.
const TREE_SIZE = /^(?:0|[1-9][0-9]*)$/;

function isLine(line: string): boolean {
  return line.length > 0 && !line.includes('\n') && isWellFormedText(line);
}

/** The note text `<origin>\n<size>\n<base64 root>\n` followed by extension lines. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (!isLine(cp.origin)) throw new CoreError('INVALID_ARGUMENT', 'invalid checkpoint origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new CoreError('INVALID_ARGUMENT', 'checkpoint size must be a safe non-negative integer');
  }
  if (cp.rootHash.byteLength !== HASH_SIZE) {
    throw new CoreError('INVALID_ARGUMENT', `checkpoint root must be ${HASH_SIZE} bytes`);
  }
  if (!cp.extensions.every(isLine)) {
    throw new CoreError('INVALID_ARGUMENT', 'extension lines must be non-empty single lines');
  }
  const lines = [cp.origin, String(cp.size), toBase64(cp.rootHash), ...cp.extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint note text strictly; MALFORMED_NOTE on any deviation. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n') || !isWellFormedText(text)) {
    throw new CoreError('MALFORMED_NOTE', 'checkpoint text must be lines ending in a newline');
  }
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || origin.length === 0) {
    throw new CoreError('MALFORMED_NOTE', 'checkpoint origin is empty');
  }
  if (size === undefined || !TREE_SIZE.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new CoreError('MALFORMED_NOTE', 'checkpoint size is not a decimal safe integer');
  }
  const rootHash = root === undefined ? undefined : fromBase64(root);
  if (rootHash?.byteLength !== HASH_SIZE) {
    throw new CoreError('MALFORMED_NOTE', `checkpoint root is not base64 of ${HASH_SIZE} bytes`);
  }
  if (extensions.some((line) => line.length === 0)) {
    throw new CoreError('MALFORMED_NOTE', 'checkpoint extension lines must be non-empty');
  }
  return { origin, size: Number(size), rootHash, extensions };
}

/**
 * Signs a checkpoint with the log key, whose name must be the origin. A key rotation's
 * handover checkpoint passes two keys, the incoming one first (key-history.ts).
 */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner | readonly NoteSigner[]): string {
  const signers = Array.isArray(signer) ? signer : [signer as NoteSigner];
  if (signers.some((s) => s.name !== cp.origin)) {
    throw new CoreError('INVALID_ARGUMENT', 'the log key name must equal the checkpoint origin');
  }
  return signNote(formatCheckpoint(cp), signers);
}

/**
 * Verifies a signed checkpoint and parses it. Besides openNote's checks, a verified
 * signature must come from a key named like the origin: tlog-checkpoint says the log's key
 * name SHOULD match the origin, and requiring it stops one trusted key vouching for another
 * log's origin. Other signatures (witness cosignatures) are ignored here.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): Checkpoint {
  const opened = openNote(note, verifiers);
  const cp = parseCheckpoint(opened.text);
  if (!opened.signatures.some((s) => s.verified && s.name === cp.origin)) {
    throw new CoreError('UNKNOWN_KEY', `no verified signature by the log key "${cp.origin}"`);
  }
  return cp;
}
