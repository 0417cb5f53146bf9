/**
 * The witness's own Ed25519 key, made on first start and kept in a 0600 file in the sumdb
 * note skey layout, `PRIVATE+KEY+<name>+<hex id>+<base64(0x04 ‖ seed)>`: the type byte says
 * it signs cosignature/v1, and the name binds the key to the witness's identity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { concatBytes, fromBase64, toBase64, toHex } from '../core/bytes.js';
import {
  COSIGNATURE_V1_TYPE,
  createCosignatureVerifier,
  formatCosignatureVerifierKey,
} from '../core/cosignature.js';
import { generateSeed, publicKeyFromSeed } from '../core/ed25519.js';
import { writeSecretFile } from '../util/secret-file.js';

export interface WitnessKey {
  name: string;
  seed: Uint8Array;
  /** `<name>+<hex id>+<base64(0x04 ‖ public key)>`: what verifiers put in their policy. */
  verifierKey: string;
}

const PREFIX = 'PRIVATE+KEY+';

export function formatWitnessSecretKey(name: string, seed: Uint8Array): string {
  const { keyId } = createCosignatureVerifier(name, publicKeyFromSeed(seed));
  const material = concatBytes(new Uint8Array([COSIGNATURE_V1_TYPE]), seed);
  return `${PREFIX}${name}+${toHex(keyId)}+${toBase64(material)}`;
}

export function parseWitnessSecretKey(text: string): WitnessKey {
  const line = text.trim();
  const rest = line.startsWith(PREFIX) ? line.slice(PREFIX.length) : '';
  // Split at the first two '+' only: base64 key material may itself hold '+'.
  const a = rest.indexOf('+');
  const b = a < 0 ? -1 : rest.indexOf('+', a + 1);
  const material = b < 0 ? undefined : fromBase64(rest.slice(b + 1));
  if (material?.byteLength !== 33 || material[0] !== COSIGNATURE_V1_TYPE) {
    throw new Error('the witness key file is not PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>');
  }
  const name = rest.slice(0, a);
  const seed = material.slice(1);
  const verifierKey = formatCosignatureVerifierKey(name, publicKeyFromSeed(seed));
  if (verifierKey.split('+')[1] !== rest.slice(a + 1, b)) {
    throw new Error('the witness key file: the key id does not match the key');
  }
  return { name, seed, verifierKey };
}

/** Loads the key, or makes one named `name` (0600, in a 0700 folder) when there is none. */
export function loadOrCreateWitnessKey(
  file: string,
  name: string,
): { key: WitnessKey; created: boolean } {
  if (existsSync(file)) {
    const key = parseWitnessSecretKey(readFileSync(file, 'utf8'));
    if (key.name !== name) {
      throw new Error(
        `${file} is the key of witness "${key.name}", not "${name}": a witness keeps its name`,
      );
    }
    return { key, created: false };
  }
  writeSecretFile(file, `${formatWitnessSecretKey(name, generateSeed())}\n`);
  return { key: parseWitnessSecretKey(readFileSync(file, 'utf8')), created: true };
}
