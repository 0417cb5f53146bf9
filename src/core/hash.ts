import { createHash, hash } from 'node:crypto';

/** SHA-256 over the concatenation of `parts`, without copying them together first. */
export function sha256(...parts: (Uint8Array | string)[]): Uint8Array {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return plain(h.digest());
}

/** A plain Uint8Array view (no copy): the core speaks Uint8Array, not Node's Buffer. */
function plain(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * SHA-256 of `prefix ‖ UTF-8(text)`, one-shot. The hot path of every append (a leaf per
 * event): crypto.hash skips the Hash object and is ~1.5× faster than createHash here.
 */
export function sha256PrefixedText(prefix: number, text: string): Uint8Array {
  return plain(hash('sha256', String.fromCharCode(prefix) + text, 'buffer'));
}

const pair = Buffer.alloc(65);

/** SHA-256 of `prefix ‖ left ‖ right` for two 32-byte hashes, one-shot (an interior node). */
export function sha256PrefixedPair(
  prefix: number,
  left: Uint8Array,
  right: Uint8Array,
): Uint8Array {
  if (left.byteLength !== 32 || right.byteLength !== 32)
    return sha256(new Uint8Array([prefix]), left, right);
  pair[0] = prefix;
  pair.set(left, 1);
  pair.set(right, 33);
  return plain(hash('sha256', pair, 'buffer'));
}
