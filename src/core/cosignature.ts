/**
 * C2SP tlog-cosignature, Ed25519 `cosignature/v1` (signature type 0x04): a witness's
 * timestamped statement about a checkpoint, carried as one more signed-note signature line.
 */
import { concatBytes, toBase64, toHex, utf8 } from './bytes.js';
import { publicKeyFromSeed, sign, verify } from './ed25519.js';
import { CoreError } from './errors.js';
import {
  decodeVerifierKey,
  isValidKeyName,
  isWellFormedText,
  type NoteVerifier,
  noteKeyId,
} from './note.js';

/** signed-note §Signature types: 0x04 = timestamped Ed25519 witness cosignature. */
export const COSIGNATURE_V1_TYPE = 0x04;

const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
const ED25519_KEY_SIZE = 32;

function assertTimestamp(timestamp: number): void {
  // The spec allows up to 2^63 - 1; beyond 2^53 - 1 is far in the future, which it lets
  // verifiers reject, and a JavaScript number could not hold it exactly.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new CoreError('INVALID_ARGUMENT', 'cosignature time must be a safe non-negative integer');
  }
}

/** tlog-cosignature §Ed25519 signed message: header, time line, then the checkpoint text. */
export function cosignatureV1Message(checkpointText: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/** The POSIX time of a cosignature (the bytes after the key id); undefined if malformed. */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.byteLength !== TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE) return undefined;
  const view = new DataView(signature.buffer, signature.byteOffset, TIMESTAMP_SIZE);
  const timestamp = view.getBigUint64(0);
  return timestamp <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(timestamp) : undefined;
}

/** A NoteVerifier for a witness: openNote then verifies its cosignature lines. */
export function createCosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new CoreError('INVALID_ARGUMENT', `invalid key name "${name}"`);
  if (publicKey.byteLength !== ED25519_KEY_SIZE) {
    throw new CoreError('INVALID_ARGUMENT', 'an Ed25519 public key is 32 bytes');
  }
  const key = publicKey.slice();
  return {
    name,
    keyId: noteKeyId(name, COSIGNATURE_V1_TYPE, key),
    publicKey: key,
    verify(text, signature) {
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      const header = utf8(`cosignature/v1\ntime ${timestamp}\n`);
      return verify(key, concatBytes(header, text), signature.subarray(TIMESTAMP_SIZE));
    },
  };
}

/** Parses a witness vkey `<name>+<hex id>+<base64(0x04 ‖ public key)>`. */
export function parseCosignatureVerifierKey(text: string): NoteVerifier {
  const { name, type, key } = decodeVerifierKey(text);
  if (type !== COSIGNATURE_V1_TYPE || key.byteLength !== ED25519_KEY_SIZE) {
    throw new CoreError('MALFORMED_KEY', 'verifier key is not an Ed25519 cosignature key');
  }
  return createCosignatureVerifier(name, key);
}

export function formatCosignatureVerifierKey(name: string, publicKey: Uint8Array): string {
  const { keyId } = createCosignatureVerifier(name, publicKey);
  const material = concatBytes(new Uint8Array([COSIGNATURE_V1_TYPE]), publicKey);
  return `${name}+${toHex(keyId)}+${toBase64(material)}`;
}

/**
 * A witness's signature line `— <name> base64(key id ‖ u64 time ‖ signature)\n` over a
 * checkpoint's note text, to append to the signed checkpoint.
 */
export function cosignCheckpoint(
  checkpointText: string,
  name: string,
  seed: Uint8Array,
  timestamp: number,
): string {
  if (!checkpointText.endsWith('\n') || !isWellFormedText(checkpointText)) {
    throw new CoreError('MALFORMED_NOTE', 'checkpoint text must be valid and end with a newline');
  }
  assertTimestamp(timestamp);
  const { keyId } = createCosignatureVerifier(name, publicKeyFromSeed(seed));
  const time = new Uint8Array(TIMESTAMP_SIZE);
  new DataView(time.buffer).setBigUint64(0, BigInt(timestamp));
  const signature = sign(seed, cosignatureV1Message(checkpointText, timestamp));
  return `\u2014 ${name} ${toBase64(concatBytes(keyId, time, signature))}\n`;
}
