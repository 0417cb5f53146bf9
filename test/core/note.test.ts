import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatBytes, fromBase64, fromHex, toHex, utf8 } from '../../src/core/bytes.js';
import { isCoreError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/hash.js';
import {
  createNoteSigner,
  createNoteVerifier,
  decodeVerifierKey,
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  type NoteVerifier,
  noteKeyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
} from '../../src/core/note.js';
import { readVectorJson } from '../support/vectors.js';

interface NoteVectors {
  keys: { name: string; key_id_hex: string; vkey: string; skey: string | null }[];
  note_text: string;
  signatures: { name: string; key_id_hex: string; base64: string }[];
  signed_note_peter: string;
  signed_note_peter_enoch: string;
  bad_vkeys: { vkey: string; why: string }[];
  malformed_notes: { note?: string; note_prefix_hex?: string; note_rest?: string; why: string }[];
}

interface C2spVectors {
  signed_note_example: {
    vkey: string;
    note: string;
    signed_text: string;
    computed_key_id_hex: string;
  };
  signed_note_multiline_example_unverifiable: { note: string };
  other_vkeys_from_transparency_dev_formats: { ed25519_type01: string; cosignature_type04: string };
}

interface EndToEnd {
  log_key: KeyVector;
  witness_key: KeyVector;
}
interface KeyVector {
  name: string;
  ed25519_seed_hex: string;
  public_key_hex: string;
  key_id_hex: string;
  key_id_preimage_hex: string;
  vkey: string;
  skey?: string;
}

const go = readVectorJson<NoteVectors>('golang-mod-sumdb', 'note-vectors.json');
const c2sp = readVectorJson<C2spVectors>('c2sp', 'c2sp-spec-examples.json');
const e2e = readVectorJson<EndToEnd>('derived-c2sp-examples', 'end-to-end-vectors.json');

const code = (c: Parameters<typeof isCoreError>[1]) => (e: unknown) => isCoreError(e, c);

function seedOfSkey(skey: string): Uint8Array {
  const material = fromBase64(skey.split('+').slice(4).join('+'));
  assert.ok(material);
  return material.subarray(1);
}

const peterKey = go.keys.find((k) => k.name === 'PeterNeumann')!;
const enochKey = go.keys.find((k) => k.name === 'EnochRoot')!;
const peter = parseVerifierKey(peterKey.vkey);
const enoch = parseVerifierKey(enochKey.vkey);

describe('golang sumdb/note key vectors', () => {
  for (const key of go.keys) {
    test(`${key.name}: vkey parses, key id recomputes, formats back`, () => {
      const v = parseVerifierKey(key.vkey);
      assert.equal(v.name, key.name);
      assert.equal(toHex(v.keyId), key.key_id_hex);
      assert.equal(toHex(noteKeyId(key.name, 0x01, v.publicKey)), key.key_id_hex);
      const preimage = concatBytes(utf8(`${key.name}\n`), new Uint8Array([1]), v.publicKey);
      assert.equal(toHex(sha256(preimage).subarray(0, 4)), key.key_id_hex);
      assert.equal(formatVerifierKey(key.name, v.publicKey), key.vkey);
    });
    if (key.skey !== null) {
      const skey = key.skey;
      test(`${key.name}: skey parses to the vkey's public key and formats back`, () => {
        const signer = parseSignerKey(skey);
        const verifier = parseVerifierKey(key.vkey);
        assert.equal(signer.name, key.name);
        assert.deepEqual(signer.keyId, verifier.keyId);
        assert.deepEqual(signer.publicKey, verifier.publicKey);
        assert.equal(formatSignerKey(key.name, seedOfSkey(skey)), skey);
        assert.equal(generateSignerKey(key.name, seedOfSkey(skey)), skey);
        assert.equal(verifierKeyOf(skey), key.vkey);
      });
    }
  }

  for (const bad of go.bad_vkeys) {
    test(`bad vkey rejected: ${bad.why}`, () => {
      assert.throws(() => parseVerifierKey(bad.vkey), code('MALFORMED_KEY'));
    });
  }

  test('malformed key texts are MALFORMED_KEY', () => {
    const vkey = peterKey.vkey;
    const [name, id, b64] = vkey.split('+') as [string, string, string];
    const badVkeys = [
      '',
      name,
      `${name}+${id}`,
      `+${id}+${b64}`,
      `Peter Neumann+${id}+${b64}`,
      `${name}+${id.slice(1)}+${b64}`,
      `${name}+0${id}+${b64}`,
      `${name}+zz${id.slice(2)}+${b64}`,
      `${name}+00000000+${b64}`, // wrong key id
      `${name}+${id}+${b64.slice(0, -1)}`,
      `${name}+${id}+`,
    ];
    for (const text of badVkeys) {
      assert.throws(() => parseVerifierKey(text), code('MALFORMED_KEY'), text);
    }
    // Go parses the id with strconv.ParseUint, so upper-case hex is accepted.
    assert.deepEqual(parseVerifierKey(`${name}+${id.toUpperCase()}+${b64}`).keyId, peter.keyId);

    const skey = peterKey.skey!;
    const parts = skey.split('+');
    const badSkeys = [
      skey.replace('PRIVATE', 'private'),
      skey.replace('+KEY+', '+KEYS+'),
      parts.slice(2).join('+'), // a vkey-shaped string
      skey.replace(peterKey.key_id_hex, '00000000'),
      skey.replace('PeterNeumann', 'EnochRoot'), // id no longer matches the name
      `${parts.slice(0, 4).join('+')}+${parts.slice(4).join('+').slice(0, -4)}`,
    ];
    for (const text of badSkeys) {
      assert.throws(() => parseSignerKey(text), code('MALFORMED_KEY'), text);
    }
  });

  test('a cosignature (type 0x04) vkey is not a note verifier key', () => {
    const keys = c2sp.other_vkeys_from_transparency_dev_formats;
    assert.equal(parseVerifierKey(keys.ed25519_type01).name, 'TEST');
    assert.throws(() => parseVerifierKey(keys.cosignature_type04), code('MALFORMED_KEY'));
    const decoded = decodeVerifierKey(keys.cosignature_type04);
    assert.equal(decoded.type, 0x04);
    assert.equal(toHex(decoded.keyId), 'da77ade7');
  });

  test('key names: non-empty, no Unicode spaces, no "+"', () => {
    for (const good of ['a', 'example.com/log', 'sum.golang.org', 'é/ü', 'x\u200by']) {
      assert.equal(isValidKeyName(good), true, good);
    }
    const bad = ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u3000b', 'a\nb', '\ud800'];
    for (const name of bad) {
      assert.equal(isValidKeyName(name), false, JSON.stringify(name));
      assert.throws(() => formatVerifierKey(name, peter.publicKey), code('INVALID_ARGUMENT'));
      assert.throws(() => createNoteSigner(name, new Uint8Array(32)), code('INVALID_ARGUMENT'));
    }
  });
});

describe('golang sumdb/note signatures', () => {
  const signer = parseSignerKey(peterKey.skey!);

  test('each published signature verifies with its key', () => {
    for (const sig of go.signatures) {
      const verifier = parseVerifierKey(go.keys.find((k) => k.name === sig.name)!.vkey);
      const raw = fromBase64(sig.base64)!;
      assert.equal(toHex(raw.subarray(0, 4)), sig.key_id_hex);
      assert.equal(verifier.verify(utf8(go.note_text), raw.subarray(4)), true);
    }
  });

  test('re-signing the note text reproduces the Go signature byte for byte', () => {
    assert.equal(signNote(go.note_text, [signer]), go.signed_note_peter);
  });

  test('open with Peter only: Peter verified, Enoch returned unverified', () => {
    const opened = openNote(go.signed_note_peter_enoch, [peter]);
    assert.equal(opened.text, go.note_text);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, toHex(s.keyId), s.verified]),
      [
        ['PeterNeumann', 'c74f20a3', true],
        ['EnochRoot', 'af0cfe78', false],
      ],
    );
    assert.equal(opened.signatures[1]!.signature.byteLength, 64);
  });

  test('open with both keys: both verified', () => {
    const opened = openNote(go.signed_note_peter_enoch, [enoch, peter]);
    assert.deepEqual(
      opened.signatures.map((s) => s.verified),
      [true, true],
    );
  });

  test('no known key: UNKNOWN_KEY', () => {
    assert.throws(() => openNote(go.signed_note_peter_enoch, []), code('UNKNOWN_KEY'));
    assert.throws(() => openNote(go.signed_note_peter, [enoch]), code('UNKNOWN_KEY'));
    // Same name, other key (so other id); same id, other name: both unknown (signed-note).
    const sameName = createNoteVerifier('PeterNeumann', enoch.publicKey);
    const sameId: NoteVerifier = { ...peter, name: 'PeterNeumann2' };
    assert.throws(() => openNote(go.signed_note_peter, [sameName, sameId]), code('UNKNOWN_KEY'));
  });

  test('a known (name, id) whose key does not verify: INVALID_SIGNATURE', () => {
    const impostor: NoteVerifier = { ...enoch, name: peter.name, keyId: peter.keyId };
    assert.throws(() => openNote(go.signed_note_peter, [impostor]), code('INVALID_SIGNATURE'));
  });

  test('"ABCD" inserted at byte 60 of the signature line: INVALID_SIGNATURE', () => {
    const sigLine = go.signed_note_peter.slice(go.note_text.length + 1);
    const bytes = utf8(sigLine);
    const tampered = concatBytes(
      utf8(`${go.note_text}\n`),
      bytes.subarray(0, 60),
      utf8('ABCD'),
      bytes.subarray(60),
    );
    assert.throws(() => openNote(tampered, [peter]), code('INVALID_SIGNATURE'));
  });

  test('a signature over other text: INVALID_SIGNATURE', () => {
    const other = go.signed_note_peter.replace('answer', 'Answer');
    assert.throws(() => openNote(other, [peter]), code('INVALID_SIGNATURE'));
  });

  for (const bad of go.malformed_notes) {
    test(`malformed note rejected: ${bad.why}`, () => {
      const forms: (string | Uint8Array)[] = [];
      if (bad.note !== undefined) forms.push(bad.note, utf8(bad.note));
      if (bad.note_prefix_hex !== undefined && bad.note_rest !== undefined) {
        const prefix = fromHex(bad.note_prefix_hex)!;
        forms.push(concatBytes(prefix, utf8(bad.note_rest)));
        forms.push(String.fromCharCode(...prefix) + bad.note_rest);
      }
      assert.ok(forms.length > 0);
      for (const note of forms) {
        assert.throws(() => openNote(note, [peter, enoch]), code('MALFORMED_NOTE'));
      }
    });
  }

  test('malformed note rejected: leading 0xff (not UTF-8), lone surrogate, bad base64', () => {
    const ff = concatBytes(new Uint8Array([0xff]), utf8(go.signed_note_peter));
    assert.throws(() => openNote(ff, [peter]), code('MALFORMED_NOTE'));
    assert.throws(() => openNote(`\udc00${go.signed_note_peter}`, [peter]), code('MALFORMED_NOTE'));
    const sig = go.signatures[0]!.base64;
    const lines = [
      `— PeterNeumann ${sig.slice(0, -1)}\n`, // not padded base64
      `— PeterNeumann  ${sig}\n`, // two spaces
      '— PeterNeumann\n',
      '— PeterNeumann \n',
      `— PeterNeumann ${sig.slice(0, 4)}==\n`, // fewer than 5 bytes
      `-- PeterNeumann ${sig}\n`,
      `—PeterNeumann ${sig}\n`,
      `— Peter+Neumann ${sig}\n`,
      `— PeterNeumann ${sig}\r\n`,
    ];
    for (const line of lines) {
      const note = `${go.note_text}\n${line}`;
      assert.throws(() => openNote(note, [peter]), code('MALFORMED_NOTE'), line);
    }
  });

  test(`more than ${MAX_NOTE_SIGNATURES} signatures: MALFORMED_NOTE; 100 and 16 accepted`, () => {
    const line = go.signed_note_peter.slice(go.note_text.length + 1);
    const withCopies = (n: number) => `${go.note_text}\n${line.repeat(n)}`;
    assert.throws(() => openNote(withCopies(101), [peter]), code('MALFORMED_NOTE'));
    // Repeats of one key's signature collapse into one, as in Go.
    assert.equal(openNote(withCopies(100), [peter]).signatures.length, 1);
    assert.equal(openNote(withCopies(16), [peter]).signatures.length, 1);
    const enochLine = go.signed_note_peter_enoch.slice(go.signed_note_peter.length);
    const mixed = `${go.note_text}\n${enochLine.repeat(50)}${line}`;
    assert.equal(openNote(mixed, [peter]).signatures.length, 2);
  });
});

describe('C2SP signed-note examples', () => {
  test('the signed-note example verifies with its published key', () => {
    const ex = c2sp.signed_note_example;
    const verifier = parseVerifierKey(ex.vkey);
    assert.equal(toHex(verifier.keyId), ex.computed_key_id_hex);
    const opened = openNote(ex.note, [verifier]);
    assert.equal(opened.text, ex.signed_text);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, s.verified]),
      [['example.com/foo', true]],
    );
  });

  test('the multi-line example is well formed: unknown key, text split at the LAST blank line', () => {
    const { note } = c2sp.signed_note_multiline_example_unverifiable;
    assert.throws(() => openNote(note, [peter]), code('UNKNOWN_KEY'));
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    assert.ok(text.includes('\n\n'));
    const signer = createNoteSigner('quasimodo.example/salvatore', new Uint8Array(32).fill(7));
    const own = signNote(text, [signer]);
    const opened = openNote(own, [createNoteVerifier(signer.name, signer.publicKey)]);
    assert.equal(opened.text, text);
  });

  test('derived end-to-end keys: ids, preimages, vkeys and skey', () => {
    const log = e2e.log_key;
    const seed = fromHex(log.ed25519_seed_hex)!;
    const signer = createNoteSigner(log.name, seed);
    assert.equal(toHex(signer.publicKey), log.public_key_hex);
    assert.equal(toHex(signer.keyId), log.key_id_hex);
    assert.equal(toHex(sha256(fromHex(log.key_id_preimage_hex)!).subarray(0, 4)), log.key_id_hex);
    assert.equal(formatVerifierKey(log.name, signer.publicKey), log.vkey);
    assert.equal(formatSignerKey(log.name, seed), log.skey);
    const witness = e2e.witness_key;
    const witnessId = noteKeyId(witness.name, 0x04, fromHex(witness.public_key_hex)!);
    assert.equal(toHex(witnessId), witness.key_id_hex);
    assert.equal(toHex(decodeVerifierKey(witness.vkey).keyId), witness.key_id_hex);
  });
});

describe('signNote', () => {
  const a = createNoteSigner('example.com/a', new Uint8Array(32).fill(1));
  const b = createNoteSigner('example.com/b', new Uint8Array(32).fill(2));
  const verifierOf = (s: typeof a) => createNoteVerifier(s.name, s.publicKey);

  test('round trips with several signers, blank lines and non-ASCII text', () => {
    for (const text of ['hello\n', '\n', 'a\n\nb\n', 'a\n\n', 'été — 🎉\n', 'x\u007f\n']) {
      const note = signNote(text, [a, b]);
      const opened = openNote(note, [verifierOf(a), verifierOf(b)]);
      assert.equal(opened.text, text);
      assert.equal(opened.signatures.length, 2);
      assert.equal(openNote(utf8(note), [verifierOf(b)]).signatures[1]!.verified, true);
    }
  });

  test('rejects text without a final newline or with control characters', () => {
    for (const text of ['', 'hello', 'a\rb\n', 'a\u0000\n', 'tab\there\n', '\ud800\n']) {
      assert.throws(() => signNote(text, [a]), code('MALFORMED_NOTE'), JSON.stringify(text));
    }
  });

  test('needs at least one signer', () => {
    assert.throws(() => signNote('x\n', []), code('INVALID_ARGUMENT'));
  });

  test('generateSignerKey makes a fresh usable key', () => {
    const skey = generateSignerKey('example.com/fresh');
    assert.notEqual(skey, generateSignerKey('example.com/fresh'));
    const note = signNote('x\n', [parseSignerKey(skey)]);
    assert.equal(openNote(note, [parseVerifierKey(verifierKeyOf(skey))]).text, 'x\n');
  });
});
