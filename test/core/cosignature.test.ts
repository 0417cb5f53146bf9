import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBase64, fromHex, toBase64, toHex, utf8 } from '../../src/core/bytes.js';
import { openCheckpoint } from '../../src/core/checkpoint.js';
import {
  cosignatureTimestamp,
  cosignatureV1Message,
  cosignCheckpoint,
  createCosignatureVerifier,
  formatCosignatureVerifierKey,
  parseCosignatureVerifierKey,
} from '../../src/core/cosignature.js';
import { isCoreError } from '../../src/core/errors.js';
import { openNote, parseVerifierKey } from '../../src/core/note.js';
import { readVectorJson } from '../support/vectors.js';

interface EndToEnd {
  log_key: { vkey: string };
  witness_key: { name: string; ed25519_seed_hex: string; public_key_hex: string; vkey: string };
  checkpoint_size8_body: string;
  checkpoint_size8_signed: string;
  cosignature: {
    timestamp: number;
    signed_message: string;
    line: string;
    checkpoint_with_cosignature: string;
  };
}

interface C2spVectors {
  checkpoint_example_unverifiable: {
    body: string;
    witness_cosignature_line: string;
    witness_cosignature_decoded: { bytes: number; key_id_hex: string; timestamp: number };
    cosigned_message_for_that_timestamp: string;
  };
  other_vkeys_from_transparency_dev_formats: { ed25519_type01: string; cosignature_type04: string };
}

const e2e = readVectorJson<EndToEnd>('derived-c2sp-examples', 'end-to-end-vectors.json');
const c2sp = readVectorJson<C2spVectors>('c2sp', 'c2sp-spec-examples.json');
const code = (c: Parameters<typeof isCoreError>[1]) => (e: unknown) => isCoreError(e, c);

const logVerifier = parseVerifierKey(e2e.log_key.vkey);
const witness = parseCosignatureVerifierKey(e2e.witness_key.vkey);
const witnessSeed = fromHex(e2e.witness_key.ed25519_seed_hex)!;

describe('tlog-cosignature v1 (Ed25519)', () => {
  test('witness vkey: type 0x04 parses, formats back; a note key is not a cosigner key', () => {
    assert.equal(toHex(witness.publicKey), e2e.witness_key.public_key_hex);
    assert.equal(
      formatCosignatureVerifierKey(witness.name, witness.publicKey),
      e2e.witness_key.vkey,
    );
    const other = c2sp.other_vkeys_from_transparency_dev_formats;
    assert.equal(toHex(parseCosignatureVerifierKey(other.cosignature_type04).keyId), 'da77ade7');
    assert.throws(() => parseCosignatureVerifierKey(other.ed25519_type01), code('MALFORMED_KEY'));
    assert.throws(() => parseCosignatureVerifierKey(e2e.log_key.vkey), code('MALFORMED_KEY'));
  });

  test('signed message layout (C2SP example and derived vector)', () => {
    const ex = c2sp.checkpoint_example_unverifiable;
    const ts = ex.witness_cosignature_decoded.timestamp;
    assert.deepEqual(
      cosignatureV1Message(ex.body, ts),
      utf8(ex.cosigned_message_for_that_timestamp),
    );
    const { timestamp, signed_message } = e2e.cosignature;
    assert.deepEqual(
      cosignatureV1Message(e2e.checkpoint_size8_body, timestamp),
      utf8(signed_message),
    );
  });

  test('C2SP example cosignature line: key id and timestamp decode', () => {
    const ex = c2sp.checkpoint_example_unverifiable;
    const raw = fromBase64(ex.witness_cosignature_line.split(' ')[2]!)!;
    assert.equal(raw.byteLength, ex.witness_cosignature_decoded.bytes);
    assert.equal(toHex(raw.subarray(0, 4)), ex.witness_cosignature_decoded.key_id_hex);
    assert.equal(cosignatureTimestamp(raw.subarray(4)), ex.witness_cosignature_decoded.timestamp);
  });

  test('cosigning reproduces the derived signature line', () => {
    const { timestamp, line } = e2e.cosignature;
    const got = cosignCheckpoint(e2e.checkpoint_size8_body, witness.name, witnessSeed, timestamp);
    assert.equal(got, `${line}\n`);
  });

  test('the cosigned checkpoint verifies with log and witness keys', () => {
    const note = e2e.cosignature.checkpoint_with_cosignature;
    const opened = openNote(note, [logVerifier, witness]);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, s.verified]),
      [
        [logVerifier.name, true],
        [witness.name, true],
      ],
    );
    assert.equal(cosignatureTimestamp(opened.signatures[1]!.signature), e2e.cosignature.timestamp);
    assert.equal(openCheckpoint(note, [logVerifier, witness]).size, 8);
  });

  test('a changed timestamp or checkpoint breaks the cosignature', () => {
    const { line, timestamp } = e2e.cosignature;
    const raw = fromBase64(line.split(' ')[2]!)!;
    const other = raw.slice();
    other[11]! ^= 1; // last timestamp byte
    const forged = `${e2e.checkpoint_size8_signed}— ${witness.name} ${toBase64(other)}\n`;
    assert.throws(() => openNote(forged, [logVerifier, witness]), code('INVALID_SIGNATURE'));
    const otherBody = e2e.checkpoint_size8_body.replace('\n8\n', '\n9\n');
    assert.equal(witness.verify(utf8(otherBody), raw.subarray(4)), false);
    assert.equal(witness.verify(utf8(e2e.checkpoint_size8_body), raw.subarray(4)), true);
    assert.equal(witness.verify(utf8(e2e.checkpoint_size8_body), raw.subarray(4, 70)), false);
    assert.equal(cosignatureTimestamp(raw.subarray(4, 70)), undefined);
    assert.equal(cosignatureTimestamp(raw.subarray(4)), timestamp);
  });

  test('argument validation', () => {
    const body = e2e.checkpoint_size8_body;
    for (const ts of [-1, 1.5, 2 ** 53]) {
      assert.throws(() => cosignatureV1Message(body, ts), code('INVALID_ARGUMENT'));
      assert.throws(() => cosignCheckpoint(body, 'w', witnessSeed, ts), code('INVALID_ARGUMENT'));
    }
    assert.throws(
      () => cosignCheckpoint('no newline', 'w', witnessSeed, 1),
      code('MALFORMED_NOTE'),
    );
    assert.throws(() => cosignCheckpoint(body, 'a b', witnessSeed, 1), code('INVALID_ARGUMENT'));
    assert.throws(
      () => createCosignatureVerifier('w', new Uint8Array(31)),
      code('INVALID_ARGUMENT'),
    );
  });
});
