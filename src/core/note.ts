/**
 * C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys, in the key text formats of Go's
 * golang.org/x/mod/sumdb/note so keys interoperate with Go tools.
 */
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from './bytes.js';
import { generateSeed, publicKeyFromSeed, sign, verify } from './ed25519.js';
import { CoreError } from './errors.js';
import { sha256 } from './hash.js';

/** signed-note §Signature types: 0x01 = Ed25519 over the note text. */
export const NOTE_SIGNATURE_TYPE_ED25519 = 0x01;
/** Go's note.Open limit; the spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const KEY_ID_SIZE = 4;
const ED25519_KEY_SIZE = 32;

export interface NoteSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The raw signature of `message` (without the key id). */
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Checks a raw signature (without the key id) over the note text; never throws. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  /** The signature bytes after the 4-byte key id. */
  signature: Uint8Array;
  /** true: by a known key and valid; false: by a key the caller does not know. */
  verified: boolean;
}

export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
}

// Go's unicode.IsSpace, which is what "Unicode spaces" means for sumdb/note key names.
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** signed-note §Format: non-empty, no Unicode spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 && !UNICODE_SPACE.test(name) && !name.includes('+') && isWellFormedText(name)
  );
}

/**
 * True for valid Unicode without ASCII control characters other than newline
 * (signed-note §Format). JavaScript strings can hold lone surrogates: those are not UTF-8.
 */
export function isWellFormedText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x0a) return false;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4] (signed-note). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return sha256(name, '\n', new Uint8Array([type]), publicKey).slice(0, KEY_ID_SIZE);
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new CoreError('INVALID_ARGUMENT', `invalid key name "${name}"`);
}

export function createNoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName(name);
  if (publicKey.byteLength !== ED25519_KEY_SIZE) {
    throw new CoreError('INVALID_ARGUMENT', 'an Ed25519 public key is 32 bytes');
  }
  const key = publicKey.slice();
  return {
    name,
    keyId: noteKeyId(name, NOTE_SIGNATURE_TYPE_ED25519, key),
    publicKey: key,
    verify: (message, signature) => verify(key, message, signature),
  };
}

export function createNoteSigner(name: string, seed: Uint8Array): NoteSigner {
  assertKeyName(name);
  const secret = seed.slice();
  const publicKey = publicKeyFromSeed(secret);
  return {
    name,
    keyId: noteKeyId(name, NOTE_SIGNATURE_TYPE_ED25519, publicKey),
    publicKey,
    sign: (message) => sign(secret, message),
  };
}

/** Splits `text` at the first `count` '+' signs: base64 key material may contain '+'. */
function splitPlus(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

/** The fields of `<name>+<hex id>+<base64(type ‖ key)>`, with the key id checked. */
export function decodeVerifierKey(text: string): {
  name: string;
  keyId: Uint8Array;
  type: number;
  key: Uint8Array;
} {
  const [name, hexId, b64] = splitPlus(text, 2) ?? [];
  const keyId = hexId?.length === 2 * KEY_ID_SIZE ? fromHex(hexId) : undefined;
  const material = b64 === undefined ? undefined : fromBase64(b64);
  if (name === undefined || !isValidKeyName(name) || !keyId || !material || !material.length) {
    throw new CoreError('MALFORMED_KEY', 'verifier key is not <name>+<hex id>+<base64 key>');
  }
  const type = material[0]!;
  const key = material.subarray(1);
  if (!bytesEqual(noteKeyId(name, type, key), keyId)) {
    throw new CoreError('MALFORMED_KEY', 'verifier key id does not match the key');
  }
  return { name, keyId, type, key };
}

/** Parses `<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte Ed25519 public key)>`. */
export function parseVerifierKey(text: string): NoteVerifier {
  const { name, type, key } = decodeVerifierKey(text);
  if (type !== NOTE_SIGNATURE_TYPE_ED25519 || key.byteLength !== ED25519_KEY_SIZE) {
    throw new CoreError('MALFORMED_KEY', 'verifier key is not an Ed25519 note key');
  }
  return createNoteVerifier(name, key);
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const { keyId } = createNoteVerifier(name, publicKey);
  const material = concatBytes(new Uint8Array([NOTE_SIGNATURE_TYPE_ED25519]), publicKey);
  return `${name}+${toHex(keyId)}+${toBase64(material)}`;
}

/** Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ 32-byte seed)>` (Go's skey). */
export function parseSignerKey(text: string): NoteSigner {
  const [priv, keyWord, name, hexId, b64] = splitPlus(text, 4) ?? [];
  const keyId = hexId?.length === 2 * KEY_ID_SIZE ? fromHex(hexId) : undefined;
  const material = b64 === undefined ? undefined : fromBase64(b64);
  if (
    `${priv}+${keyWord}+` !== SIGNER_KEY_PREFIX ||
    name === undefined ||
    !isValidKeyName(name) ||
    !keyId ||
    material?.byteLength !== 1 + ED25519_KEY_SIZE ||
    material[0] !== NOTE_SIGNATURE_TYPE_ED25519
  ) {
    throw new CoreError('MALFORMED_KEY', 'signer key is not PRIVATE+KEY+<name>+<id>+<seed>');
  }
  // The id hashes the public key, so it can only be checked once the key is derived.
  const signer = createNoteSigner(name, material.subarray(1));
  if (!bytesEqual(signer.keyId, keyId)) {
    throw new CoreError('MALFORMED_KEY', 'signer key id does not match the key');
  }
  return signer;
}

export function formatSignerKey(name: string, seed: Uint8Array): string {
  const { keyId } = createNoteSigner(name, seed);
  const material = concatBytes(new Uint8Array([NOTE_SIGNATURE_TYPE_ED25519]), seed);
  return `${SIGNER_KEY_PREFIX}${name}+${toHex(keyId)}+${toBase64(material)}`;
}

/** A new signer key text; pass `seed` for deterministic keys (tests). */
export function generateSignerKey(name: string, seed: Uint8Array = generateSeed()): string {
  return formatSignerKey(name, seed);
}

/** The verifier key text matching a signer key text. */
export function verifierKeyOf(signerKeyText: string): string {
  const signer = parseSignerKey(signerKeyText);
  return formatVerifierKey(signer.name, signer.publicKey);
}

/** Signs `text` (which must end in "\n") with every signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || !isWellFormedText(text)) {
    throw new CoreError('MALFORMED_NOTE', 'note text must be valid and end with a newline');
  }
  if (signers.length === 0 || signers.length > MAX_NOTE_SIGNATURES) {
    throw new CoreError('INVALID_ARGUMENT', `a note needs 1 to ${MAX_NOTE_SIGNATURES} signers`);
  }
  const message = utf8(text);
  let lines = '';
  for (const signer of signers) {
    if (!isValidKeyName(signer.name) || signer.keyId.byteLength !== KEY_ID_SIZE) {
      throw new CoreError('INVALID_ARGUMENT', `invalid signer "${signer.name}"`);
    }
    const signature = concatBytes(signer.keyId, signer.sign(message));
    lines += `${SIGNATURE_PREFIX}${signer.name} ${toBase64(signature)}\n`;
  }
  return `${text}\n${lines}`;
}

/**
 * The key id of a signed note's first signature line, without verifying anything; undefined
 * if the note has none. The log signs with its current key first, so a writer can tell
 * cheaply whether the head was signed by the key it holds.
 */
export function firstSignatureKeyId(note: string): Uint8Array | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.startsWith(SIGNATURE_PREFIX, split + 2)) return undefined;
  const line = note.slice(split + 2 + SIGNATURE_PREFIX.length);
  const space = line.indexOf(' ');
  // 8 base64 characters hold the first 6 bytes: the 4-byte key id and 2 signature bytes.
  const head = space < 0 ? undefined : fromBase64(line.slice(space + 1, space + 9));
  return head?.slice(0, KEY_ID_SIZE);
}

const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function malformed(why: string): CoreError {
  return new CoreError('MALFORMED_NOTE', `malformed note: ${why}`);
}

/**
 * Splits a signed note at its LAST blank line and checks every signature by a known key
 * (name AND key id match), following Go's note.Open. Throws MALFORMED_NOTE,
 * INVALID_SIGNATURE (a known key's signature fails) or UNKNOWN_KEY (none verified).
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  let input: string;
  if (typeof note === 'string') {
    input = note;
  } else {
    try {
      input = UTF8_DECODER.decode(note);
    } catch (cause) {
      throw new CoreError('MALFORMED_NOTE', 'malformed note: not UTF-8', { cause });
    }
  }
  if (!isWellFormedText(input)) throw malformed('control character or invalid Unicode');
  const split = input.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = input.slice(0, split + 1);
  const block = input.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('no signature lines');

  const message = utf8(text);
  const signatures: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  let count = 0;
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('not a signature line');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const raw = space < 0 ? undefined : fromBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || raw === undefined || raw.byteLength <= KEY_ID_SIZE) {
      throw malformed('bad signature line');
    }
    if (++count > MAX_NOTE_SIGNATURES) throw malformed('too many signatures');
    const keyId = raw.slice(0, KEY_ID_SIZE);
    const signature = raw.slice(KEY_ID_SIZE);
    const verifier = verifiers.find((v) => v.name === name && bytesEqual(v.keyId, keyId));
    if (verifier === undefined) {
      if (seenUnknown.has(line)) continue;
      seenUnknown.add(line);
      signatures.push({ name, keyId, signature, verified: false });
      continue;
    }
    // Like Go, only the first signature by a known key counts; repeats are dropped.
    const id = `${name}+${toHex(keyId)}`;
    if (seenKnown.has(id)) continue;
    seenKnown.add(id);
    if (!verifier.verify(message, signature)) {
      throw new CoreError('INVALID_SIGNATURE', `invalid signature for key ${id}`);
    }
    signatures.push({ name, keyId, signature, verified: true });
  }
  if (seenKnown.size === 0) {
    throw new CoreError('UNKNOWN_KEY', 'note has no signature by a known key');
  }
  return { text, signatures };
}
