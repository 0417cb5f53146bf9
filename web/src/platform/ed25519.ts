/**
 * The browser build of src/core/ed25519.ts (same exports). Web Crypto's Ed25519 is async
 * (and missing from older browsers) while the core verifies synchronously, so the browser
 * uses @noble/curves: audited, dependency-free RFC 8032 Ed25519.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

export const ED25519_SEED_SIZE = 32;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, seed);
}

/** True if `signature` is valid; false for any malformed input, never throws. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== ED25519_PUBLIC_KEY_SIZE) return false;
  if (signature.byteLength !== ED25519_SIGNATURE_SIZE) return false;
  try {
    // zip215: false is RFC 8032's strict verification, as node:crypto (OpenSSL) does.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function generateSeed(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(ED25519_SEED_SIZE));
}
