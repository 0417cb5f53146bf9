import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBase64, fromHex, toBase64, toHex } from '../../src/core/bytes.js';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../../src/core/checkpoint.js';
import { isCoreError } from '../../src/core/errors.js';
import { leafHash, type NodeId, nodeHash, rootFromLeafHashes } from '../../src/core/merkle.js';
import {
  createNoteSigner,
  createNoteVerifier,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../src/core/note.js';
import {
  buildProof,
  consistencyProofRanges,
  inclusionProofRanges,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/proof.js';
import { readVectorJson } from '../support/vectors.js';

interface EndToEnd {
  tree: { leaf_inputs_hex: string[]; size: number; root_hex: string; size6_root_hex: string };
  log_key: { name: string; vkey: string; skey: string };
  witness_key: { name: string; vkey: string };
  checkpoint_size8_body: string;
  checkpoint_size8_signed: string;
  checkpoint_size6_signed: string;
  cosignature: { checkpoint_with_cosignature: string };
  inclusion_proof_leaf5_size8_hex: string[];
  consistency_proof_6_to_8_hex: string[];
  tlog_proof_leaf5: string;
  witness_add_checkpoint_request_body_6_to_8: string;
}

interface C2spVectors {
  checkpoint_example_unverifiable: {
    body: string;
    log_signature_line: string;
    witness_cosignature_line: string;
  };
  witness_add_checkpoint_request_example: { body: string };
}

interface TlogVectors {
  record_hash: { leaf_hash_base64: string };
  tree_note: { n: number; text: string };
  tree_note_bad: string[];
}

const e2e = readVectorJson<EndToEnd>('derived-c2sp-examples', 'end-to-end-vectors.json');
const c2sp = readVectorJson<C2spVectors>('c2sp', 'c2sp-spec-examples.json');
const tlog = readVectorJson<TlogVectors>('golang-mod-sumdb', 'tlog-vectors.json');

const code = (c: Parameters<typeof isCoreError>[1]) => (e: unknown) => isCoreError(e, c);
const hex = (text: string) => fromHex(text)!;
const b64 = (text: string) => {
  const bytes = fromBase64(text);
  assert.ok(bytes, text);
  return bytes;
};

const logSigner = parseSignerKey(e2e.log_key.skey);
const logVerifier = parseVerifierKey(e2e.log_key.vkey);
const root = new Uint8Array(32).fill(9);

describe('parseCheckpoint / formatCheckpoint', () => {
  test('C2SP example body parses and formats back byte for byte', () => {
    const { body } = c2sp.checkpoint_example_unverifiable;
    const cp = parseCheckpoint(body);
    assert.equal(cp.origin, 'example.com/behind-the-sofa');
    assert.equal(cp.size, 20852163);
    assert.equal(toBase64(cp.rootHash), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    assert.deepEqual(cp.extensions, []);
    assert.equal(formatCheckpoint(cp), body);
  });

  test('Go sumdb tree note (the pre-C2SP checkpoint) parses; the bad ones do not', () => {
    const cp = parseCheckpoint(tlog.tree_note.text);
    assert.equal(cp.origin, 'go.sum database tree');
    assert.equal(cp.size, tlog.tree_note.n);
    assert.deepEqual(cp.rootHash, b64(tlog.record_hash.leaf_hash_base64));
    assert.deepEqual(cp.rootHash, leafHash('hello world'));
    const [otherOrigin, badSize, badRoot] = tlog.tree_note_bad as [string, string, string];
    assert.notEqual(parseCheckpoint(otherOrigin).origin, cp.origin); // wrong log, well formed
    assert.throws(() => parseCheckpoint(badSize), code('MALFORMED_NOTE'));
    assert.throws(() => parseCheckpoint(badRoot), code('MALFORMED_NOTE'));
  });

  test('extension lines round trip', () => {
    const cp: Checkpoint = { origin: 'o', size: 0, rootHash: root, extensions: ['ext one', 'e2'] };
    const text = formatCheckpoint(cp);
    assert.equal(text, `o\n0\n${toBase64(root)}\next one\ne2\n`);
    assert.deepEqual(parseCheckpoint(text), cp);
  });

  test('strict parsing: every deviation is MALFORMED_NOTE', () => {
    const r = toBase64(root);
    const bad = [
      '',
      'o\n1\n',
      `o\n1\n${r}`, // no final newline
      `\n1\n${r}\n`, // empty origin
      `o\n01\n${r}\n`, // leading zero
      `o\n-1\n${r}\n`,
      `o\n+1\n${r}\n`,
      `o\n1e3\n${r}\n`,
      `o\n 1\n${r}\n`,
      `o\n1.0\n${r}\n`,
      `o\n0x10\n${r}\n`,
      `o\n9007199254740992\n${r}\n`, // 2^53
      `o\n99999999999999999999\n${r}\n`,
      `o\n1\n${toBase64(new Uint8Array(31))}\n`,
      `o\n1\n${toBase64(new Uint8Array(33))}\n`,
      `o\n1\n${r.slice(0, -1)}\n`,
      `o\n1\n${r.replace('=', '')}\n`,
      `o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n`, // non-canonical padding bits
      `o\n1\n${r}\n\n`, // empty extension line
      `o\n1\n${r}\na\n\nb\n`,
      `o\r\n1\n${r}\n`,
      `o\n1\r\n${r}\n`,
    ];
    for (const text of bad) {
      assert.throws(() => parseCheckpoint(text), code('MALFORMED_NOTE'), JSON.stringify(text));
    }
    assert.equal(parseCheckpoint(`o\n9007199254740991\n${r}\n`).size, Number.MAX_SAFE_INTEGER);
  });

  test('formatCheckpoint refuses what it could not parse back', () => {
    const base: Checkpoint = { origin: 'o', size: 1, rootHash: root, extensions: [] };
    const bad: Checkpoint[] = [
      { ...base, origin: '' },
      { ...base, origin: 'a\nb' },
      { ...base, size: -1 },
      { ...base, size: 1.5 },
      { ...base, size: 2 ** 53 },
      { ...base, rootHash: new Uint8Array(31) },
      { ...base, extensions: [''] },
      { ...base, extensions: ['a\nb'] },
    ];
    for (const cp of bad) {
      assert.throws(() => formatCheckpoint(cp), code('INVALID_ARGUMENT'));
    }
  });
});

describe('signed checkpoints (derived end-to-end vectors)', () => {
  const leaves = e2e.tree.leaf_inputs_hex.map((input) => leafHash(hex(input)));
  const levels: Uint8Array[][] = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    levels.push(below.flatMap((h, i) => (i % 2 === 0 ? [nodeHash(h, below[i + 1]!)] : [])));
  }
  const lookup = (id: NodeId) => levels[id.level]![id.index]!;

  test('signing the size 8 and size 6 checkpoints reproduces the vectors', () => {
    const body8 = parseCheckpoint(e2e.checkpoint_size8_body);
    assert.deepEqual(body8.rootHash, rootFromLeafHashes(leaves));
    assert.equal(toHex(body8.rootHash), e2e.tree.root_hex);
    assert.equal(signCheckpoint(body8, logSigner), e2e.checkpoint_size8_signed);
    const body6: Checkpoint = {
      origin: e2e.log_key.name,
      size: 6,
      rootHash: rootFromLeafHashes(leaves.slice(0, 6)),
      extensions: [],
    };
    assert.equal(toHex(body6.rootHash), e2e.tree.size6_root_hex);
    assert.equal(signCheckpoint(body6, logSigner), e2e.checkpoint_size6_signed);
  });

  test('openCheckpoint verifies and parses; the cosigned form opens with the log key', () => {
    const cp8 = openCheckpoint(e2e.checkpoint_size8_signed, [logVerifier]);
    assert.equal(cp8.origin, e2e.log_key.name);
    assert.equal(cp8.size, 8);
    assert.equal(toHex(cp8.rootHash), e2e.tree.root_hex);
    const cosigned = openCheckpoint(e2e.cosignature.checkpoint_with_cosignature, [logVerifier]);
    assert.deepEqual(cosigned, cp8);
    const note = openNote(e2e.cosignature.checkpoint_with_cosignature, [logVerifier]);
    assert.deepEqual(
      note.signatures.map((s) => [s.name, s.verified]),
      [
        [e2e.log_key.name, true],
        [e2e.witness_key.name, false],
      ],
    );
  });

  test('proofs between the signed checkpoints: generated and verified', () => {
    const cp6 = openCheckpoint(e2e.checkpoint_size6_signed, [logVerifier]);
    const cp8 = openCheckpoint(e2e.checkpoint_size8_signed, [logVerifier]);
    const inclusion = buildProof(inclusionProofRanges(5, 8), lookup);
    assert.deepEqual(inclusion.map(toHex), e2e.inclusion_proof_leaf5_size8_hex);
    verifyInclusion(5, cp8.size, leaves[5]!, inclusion, cp8.rootHash);
    const consistency = buildProof(consistencyProofRanges(6, 8), lookup);
    assert.deepEqual(consistency.map(toHex), e2e.consistency_proof_6_to_8_hex);
    verifyConsistency(cp6.size, cp8.size, consistency, cp6.rootHash, cp8.rootHash);
  });

  test('tlog-proof@v1 for leaf 5: the embedded checkpoint and proof verify', () => {
    const text = e2e.tlog_proof_leaf5;
    const split = text.indexOf('\n\n');
    const [header, indexLine, ...hashes] = text.slice(0, split).split('\n');
    assert.equal(header, 'c2sp.org/tlog-proof@v1');
    const index = Number(indexLine!.replace(/^index /, ''));
    const cp = openCheckpoint(text.slice(split + 2), [logVerifier]);
    verifyInclusion(index, cp.size, leaves[index]!, hashes.map(b64), cp.rootHash);
  });

  test('witness add-checkpoint body 6→8: the consistency proof verifies', () => {
    const body = e2e.witness_add_checkpoint_request_body_6_to_8;
    const split = body.indexOf('\n\n');
    const [oldLine, ...hashes] = body.slice(0, split).split('\n');
    const oldSize = Number(oldLine!.replace(/^old /, ''));
    const cp6 = openCheckpoint(e2e.checkpoint_size6_signed, [logVerifier]);
    assert.equal(oldSize, cp6.size);
    const cp = openCheckpoint(body.slice(split + 2), [logVerifier]);
    verifyConsistency(oldSize, cp.size, hashes.map(b64), cp6.rootHash, cp.rootHash);
  });

  test('tampered checkpoints fail with the right codes', () => {
    const signed = e2e.checkpoint_size8_signed;
    assert.throws(
      () => openCheckpoint(signed.replace('\n8\n', '\n9\n'), [logVerifier]),
      code('INVALID_SIGNATURE'),
    );
    assert.throws(() => openCheckpoint(signed, []), code('UNKNOWN_KEY'));
    assert.throws(() => openCheckpoint(signed.slice(0, -1), [logVerifier]), code('MALFORMED_NOTE'));
  });
});

describe('openCheckpoint rules', () => {
  const signer = createNoteSigner('example.com/log', new Uint8Array(32).fill(3));
  const verifier = createNoteVerifier(signer.name, signer.publicKey);
  const other = createNoteSigner('example.com/other', new Uint8Array(32).fill(4));
  const otherVerifier = createNoteVerifier(other.name, other.publicKey);

  test('the origin must be the name of a key that verified', () => {
    const text = formatCheckpoint({
      origin: 'example.com/log',
      size: 3,
      rootHash: root,
      extensions: [],
    });
    assert.equal(openCheckpoint(signNote(text, [signer]), [verifier]).size, 3);
    assert.equal(openCheckpoint(signNote(text, [other, signer]), [verifier]).size, 3);
    // Signed only by a trusted key of another name: not this log's checkpoint.
    assert.throws(
      () => openCheckpoint(signNote(text, [other]), [otherVerifier]),
      code('UNKNOWN_KEY'),
    );
  });

  test('signCheckpoint refuses a key not named after the origin', () => {
    const cp: Checkpoint = { origin: 'example.com/log', size: 1, rootHash: root, extensions: [] };
    assert.throws(() => signCheckpoint(cp, other), code('INVALID_ARGUMENT'));
  });

  test('a verified note whose body is not a checkpoint is MALFORMED_NOTE', () => {
    const note = signNote('example.com/log\nnot a size\nroot\n', [signer]);
    assert.throws(() => openCheckpoint(note, [verifier]), code('MALFORMED_NOTE'));
  });

  test('C2SP checkpoint example: well formed, signed by keys we do not know', () => {
    const ex = c2sp.checkpoint_example_unverifiable;
    const note = `${ex.body}\n${ex.log_signature_line}\n${ex.witness_cosignature_line}\n`;
    assert.throws(() => openCheckpoint(note, [verifier]), code('UNKNOWN_KEY'));
    // Same name as the log, different key (hence key id): still unknown, never "invalid".
    const sameName = createNoteVerifier('example.com/behind-the-sofa', signer.publicKey);
    assert.throws(() => openCheckpoint(note, [sameName]), code('UNKNOWN_KEY'));
  });
});
