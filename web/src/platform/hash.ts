/**
 * The browser build of src/core/hash.ts (same exports). Web Crypto's digest is async and the
 * core's hashing is synchronous (the server hashes on the append path), so the browser uses
 * @noble/hashes: audited, dependency-free, synchronous SHA-256.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

export function sha256(...parts: (Uint8Array | string)[]): Uint8Array {
  const h = nobleSha256.create();
  for (const part of parts) h.update(typeof part === 'string' ? encoder.encode(part) : part);
  return h.digest();
}

export function sha256PrefixedText(prefix: number, text: string): Uint8Array {
  return sha256(new Uint8Array([prefix]), text);
}

export function sha256PrefixedTextInto(
  prefix: number,
  text: string,
  out: Uint8Array,
  offset: number,
): void {
  out.set(sha256PrefixedText(prefix, text), offset);
}

export function sha256PrefixedPair(
  prefix: number,
  left: Uint8Array,
  right: Uint8Array,
): Uint8Array {
  return sha256(new Uint8Array([prefix]), left, right);
}
