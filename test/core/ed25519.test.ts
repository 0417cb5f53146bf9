import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex, utf8 } from '../../src/core/bytes.js';
import { generateSeed, publicKeyFromSeed, sign, verify } from '../../src/core/ed25519.js';
import { isCoreError } from '../../src/core/errors.js';
import { readVectorJson } from '../support/vectors.js';

interface EndToEnd {
  log_key: { ed25519_seed_hex: string; public_key_hex: string };
  witness_key: { ed25519_seed_hex: string; public_key_hex: string };
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  assert.ok(bytes);
  return bytes;
}

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

describe('Ed25519 seam', () => {
  for (const [i, v] of RFC8032.entries()) {
    test(`RFC 8032 §7.1 test ${i + 1}`, () => {
      const seed = hex(v.seed);
      assert.equal(toHex(publicKeyFromSeed(seed)), v.publicKey);
      assert.equal(toHex(sign(seed, hex(v.message))), v.signature);
      assert.equal(verify(hex(v.publicKey), hex(v.message), hex(v.signature)), true);
    });
  }

  test('derived end-to-end keys: the seeds give the published public keys', () => {
    const e2e = readVectorJson<EndToEnd>('derived-c2sp-examples', 'end-to-end-vectors.json');
    for (const key of [e2e.log_key, e2e.witness_key]) {
      assert.equal(toHex(publicKeyFromSeed(hex(key.ed25519_seed_hex))), key.public_key_hex);
    }
  });

  test('verify returns false, never throws, for bad input', () => {
    const seed = generateSeed();
    const publicKey = publicKeyFromSeed(seed);
    const message = utf8('hello');
    const signature = sign(seed, message);
    assert.equal(verify(publicKey, message, signature), true);
    assert.equal(verify(publicKey, utf8('hellO'), signature), false);
    assert.equal(verify(publicKey, message, signature.subarray(0, 63)), false);
    assert.equal(verify(publicKey, message, new Uint8Array(65)), false);
    assert.equal(verify(publicKey.subarray(0, 31), message, signature), false);
    assert.equal(verify(new Uint8Array(32).fill(0xff), message, signature), false);
    assert.equal(verify(new Uint8Array(32), message, new Uint8Array(64)), false);
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    assert.equal(verify(publicKey, message, flipped), false);
  });

  test('seeds must be 32 bytes', () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(64)]) {
      assert.throws(
        () => sign(bad, utf8('x')),
        (e) => isCoreError(e, 'INVALID_ARGUMENT'),
      );
      assert.throws(
        () => publicKeyFromSeed(bad),
        (e) => isCoreError(e, 'INVALID_ARGUMENT'),
      );
    }
  });

  test('generateSeed gives fresh 32-byte seeds', () => {
    const a = generateSeed();
    const b = generateSeed();
    assert.equal(a.byteLength, 32);
    assert.notDeepEqual(a, b);
  });

  test('the key cache follows a seed array changed in place', () => {
    const seed = hex(RFC8032[0]!.seed);
    const message = utf8('m');
    const first = sign(seed, message);
    seed.set(hex(RFC8032[1]!.seed));
    const second = sign(seed, message);
    assert.notDeepEqual(first, second);
    assert.equal(verify(hex(RFC8032[1]!.publicKey), message, second), true);
  });
});
