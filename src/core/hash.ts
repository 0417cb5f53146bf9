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
  return bytesOf(hash('sha256', String.fromCharCode(prefix) + text, 'binary'));
}

/** sha256PrefixedText written into `out` at `offset`, e.g. one array for a request's leaves. */
export function sha256PrefixedTextInto(
  prefix: number,
  text: string,
  out: Uint8Array,
  offset: number,
): void {
  copyDigest(hash('sha256', String.fromCharCode(prefix) + text, 'binary'), out, offset);
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
  return bytesOf(hash('sha256', pair, 'binary'));
}

// A digest asked for as 'binary' (latin1) is a 32-character string on the V8 heap (one char per byte)
// that dies young. Asked for as a Buffer, every digest had its own off-heap backing store,
// which the garbage collector tracks and frees one by one: a leaf and about one interior
// node per appended event. A Uint8Array of 32 bytes made here keeps its bytes on the heap.

function bytesOf(digest: string): Uint8Array {
  const out = new Uint8Array(32);
  copyDigest(digest, out, 0);
  return out;
}

function copyDigest(digest: string, out: Uint8Array, offset: number): void {
  for (let k = 0; k < 32; k++) out[offset + k] = digest.charCodeAt(k);
}
