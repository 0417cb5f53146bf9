/**
 * A small, dependency-free verifier for what the server hands back on append: a C2SP
 * signed-note checkpoint (Ed25519) and an RFC 9162 inclusion proof. It is a deliberate copy
 * of the few functions the client needs from the server's src/core (which it must not import
 * to stay publishable on its own); test/client cross-checks the two on real server output.
 */
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { EvidentClientError } from './errors.js';

/** RFC 9162 §2.1.1 domain separation. */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
/** signed-note: 0x01 = Ed25519. */
const ED25519_TYPE = 0x01;
// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 key bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface VerifierKey {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
}

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
}

function sha256(...parts: (Uint8Array | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Parses `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>` and checks the id matches. */
export function parseVerifierKey(text: string): VerifierKey {
  const bad = (why: string) =>
    new EvidentClientError('bad_verifier_key', `verifier key "${text}" ${why}`);
  // The base64 part may itself contain '+': split at the first two only.
  const match = /^([^+\s]+)\+([^+]*)\+(\S+)$/.exec(text.trim());
  if (!match) throw bad('must be NAME+KEYID+BASE64');
  const [, name, hexId, b64] = match as unknown as [string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw bad('has a key id that is not 8 hex digits');
  const material = Buffer.from(b64, 'base64');
  if (material.length !== 33 || material[0] !== ED25519_TYPE) throw bad('is not an Ed25519 key');
  const publicKey = material.subarray(1);
  const keyId = sha256(name, '\n', material).subarray(0, 4);
  if (keyId.toString('hex') !== hexId) throw bad('has a key id that does not match its key');
  return { name, keyId, publicKey };
}

/**
 * Verifies a signed checkpoint with the log's key and parses its body. The signature is
 * looked for after the LAST blank line (signed-note §Format).
 */
export function openCheckpoint(note: string, key: VerifierKey): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) {
    throw new EvidentClientError('bad_checkpoint', 'checkpoint is not a signed note');
  }
  const text = note.slice(0, split + 1);
  const spki = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, key.publicKey]),
    format: 'der',
    type: 'spki',
  });
  let verified = false;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match || match[1] !== key.name) continue;
    const sig = Buffer.from(match[2]!, 'base64');
    if (sig.length !== 68 || !sig.subarray(0, 4).equals(key.keyId)) continue;
    if (edVerify(null, Buffer.from(text, 'utf8'), spki, sig.subarray(4))) verified = true;
  }
  if (!verified) {
    throw new EvidentClientError(
      'bad_signature',
      `checkpoint carries no valid signature by ${key.name}`,
    );
  }
  const [origin, size, root] = text.slice(0, -1).split('\n');
  const rootHash = Buffer.from(root ?? '', 'base64');
  if (origin !== key.name || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || rootHash.length !== 32) {
    throw new EvidentClientError('bad_checkpoint', 'checkpoint body is malformed');
  }
  return { origin, size: Number(size), rootHash };
}

/** SHA-256(0x00 ‖ data): the leaf hash of a canonical record (RFC 9162 §2.1.1). */
export function leafHash(canonicalRecord: string): Buffer {
  return sha256(Uint8Array.of(LEAF_PREFIX), canonicalRecord);
}

/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash. Arithmetic, not
 * bit operators, so indexes above 2^31 work.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new EvidentClientError('proof_mismatch', `leaf ${index} is not in a tree of ${size}`);
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new EvidentClientError('proof_mismatch', 'inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Uint8Array.of(NODE_PREFIX), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sha256(Uint8Array.of(NODE_PREFIX), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new EvidentClientError('proof_mismatch', 'inclusion proof is too short');
  return r;
}
