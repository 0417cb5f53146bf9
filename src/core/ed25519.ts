/**
 * The platform seam for Ed25519 (RFC 8032). With bytes.ts and hash.ts, the only core file
 * that touches node:crypto, so a browser build swaps just these three.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { bytesEqual, toHex } from './bytes.js';
import { CoreError } from './errors.js';

export const ED25519_SEED_SIZE = 32;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

// DER wrappers that let node:crypto import raw keys: PKCS#8 OneAsymmetricKey (RFC 8410 §7)
// around a 32-byte seed, and SubjectPublicKeyInfo (RFC 8410 §4) around a 32-byte key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Signing happens once per batch with the same seed object; verification runs for every
// checkpoint of a log with a handful of keys. Both caches stay small.
const privateKeys = new WeakMap<Uint8Array, { seed: Uint8Array; key: KeyObject }>();
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 256;

function privateKeyOf(seed: Uint8Array): KeyObject {
  if (seed.byteLength !== ED25519_SEED_SIZE) {
    throw new CoreError('INVALID_ARGUMENT', `an Ed25519 seed is ${ED25519_SEED_SIZE} bytes`);
  }
  const cached = privateKeys.get(seed);
  if (cached !== undefined && bytesEqual(cached.seed, seed)) return cached.key;
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  privateKeys.set(seed, { seed: seed.slice(), key });
  return key;
}

function publicKeyOf(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey);
  const cached = publicKeys.get(id);
  if (cached !== undefined) return cached;
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
  if (publicKeys.size >= PUBLIC_KEY_CACHE_LIMIT) {
    publicKeys.delete(publicKeys.keys().next().value!);
  }
  publicKeys.set(id, key);
  return key;
}

/** The 32-byte public key of a 32-byte seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyOf(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.byteLength));
}

/** The 64-byte Ed25519 signature of `message` (deterministic). */
export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(cryptoSign(null, message, privateKeyOf(seed)));
}

/** True if `signature` is valid; false for any malformed input, never throws. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== ED25519_PUBLIC_KEY_SIZE) return false;
  if (signature.byteLength !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return cryptoVerify(null, message, publicKeyOf(publicKey), signature);
  } catch {
    return false;
  }
}

/** A fresh random seed; the one source of randomness in the core. */
export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(ED25519_SEED_SIZE));
}
