import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex } from '../../src/core/bytes.js';
import { formatCheckpoint, signCheckpoint } from '../../src/core/checkpoint.js';
import { isCoreError } from '../../src/core/errors.js';
import {
  keyHistoryFromJson,
  keyHistoryToJson,
  keysForSize,
  type LogKeyPeriod,
  openLogCheckpoint,
  rotateKeyHistory,
  rotationRecordProblem,
  startKeyHistory,
} from '../../src/core/key-history.js';
import { EMPTY_ROOT } from '../../src/core/merkle.js';
import {
  firstSignatureKeyId,
  formatVerifierKey,
  generateSignerKey,
  type NoteSigner,
  parseSignerKey,
  signNote,
} from '../../src/core/note.js';

const ORIGIN = 'evident.test/keys';
const T0 = Date.parse('2026-11-22T09:00:00.000Z');

const signer = (n: number, name = ORIGIN): NoteSigner =>
  parseSignerKey(generateSignerKey(name, new Uint8Array(32).fill(n)));
const vkey = (s: NoteSigner) => formatVerifierKey(s.name, s.publicKey);
const root = (n: number) => new Uint8Array(32).fill(n);
const checkpoint = (size: number, signers: NoteSigner[]) =>
  signCheckpoint(
    { origin: ORIGIN, size, rootHash: size === 0 ? EMPTY_ROOT : root(size), extensions: [] },
    signers,
  );

const [k0, k1, k2] = [signer(1), signer(2), signer(3)];

/** k0 signs 0–10, k1 10–25, k2 from 25 on. */
function twoRotations(): LogKeyPeriod[] {
  const h1 = rotateKeyHistory(startKeyHistory(vkey(k0), T0), vkey(k1), 10, T0 + 1000);
  return rotateKeyHistory(h1, vkey(k2), 25, T0 + 2000);
}

const code = (c: string, message?: RegExp) => (error: unknown) =>
  isCoreError(error) && error.code === c && (message === undefined || message.test(error.message));

describe('key history', () => {
  it('records each key with the sizes it signs; a handover size belongs to both keys', () => {
    const history = twoRotations();
    assert.deepEqual(
      history.map((p) => [p.keyId, p.fromSize, p.untilSize]),
      [
        [toHex(k0.keyId), 0, 10],
        [toHex(k1.keyId), 10, 25],
        [toHex(k2.keyId), 25, null],
      ],
    );
    assert.deepEqual(
      keysForSize(history, 10).map((p) => p.keyId),
      [toHex(k0.keyId), toHex(k1.keyId)],
    );
    assert.deepEqual(
      keysForSize(history, 11).map((p) => p.keyId),
      [toHex(k1.keyId)],
    );
    assert.deepEqual(
      keysForSize(history, 1_000_000).map((p) => p.keyId),
      [toHex(k2.keyId)],
    );
  });

  it('round-trips through its JSON form and rejects histories that do not chain', () => {
    const history = twoRotations();
    const json = keyHistoryToJson(history);
    assert.equal(json[1]!.from_time, '2026-11-22T09:00:01.000Z');
    assert.deepEqual(keyHistoryFromJson(JSON.parse(JSON.stringify(json)), ORIGIN), history);

    const broken = (edit: (j: ReturnType<typeof keyHistoryToJson>) => void, why: RegExp) => {
      const copy = structuredClone(json);
      edit(copy);
      assert.throws(() => keyHistoryFromJson(copy, ORIGIN), code('MALFORMED_KEY', why));
    };
    broken((j) => (j[0]!.until_size = 11), /must end where/);
    broken((j) => (j[0]!.from_size = 1), /from size 0/);
    broken((j) => (j[2]!.until_size = 30), /must be open/);
    broken((j) => (j[1]!.key_id = j[0]!.key_id), /key_id does not match/);
    broken((j) => j.splice(1, 1), /must end where/);
    broken((j) => Object.assign(j[0]!, { extra: 1 }), /has "extra"/);
    broken((j) => (j[1]!.from_time = 'yesterday'), /RFC 3339/);
    assert.throws(
      () => keyHistoryFromJson(json, 'other.origin/log'),
      code('MALFORMED_KEY', /named/),
    );
    assert.throws(() => keyHistoryFromJson([], ORIGIN), code('MALFORMED_KEY'));
  });

  it('never hands over to a key that signed before, nor to a key of another origin', () => {
    const history = twoRotations();
    assert.throws(() => rotateKeyHistory(history, vkey(k0), 40, T0), code('INVALID_ARGUMENT'));
    assert.throws(
      () => rotateKeyHistory(history, vkey(signer(9, 'other.origin/log')), 40, T0),
      code('INVALID_ARGUMENT'),
    );
    assert.throws(
      () => rotateKeyHistory(history, vkey(signer(9)), 25, T0),
      code('INVALID_ARGUMENT'),
    );
  });
});

describe('openLogCheckpoint', () => {
  const history = twoRotations();

  it('accepts each checkpoint signed by the key of its size, and a handover signed by both', () => {
    assert.equal(openLogCheckpoint(checkpoint(0, [k0]), history).checkpoint.size, 0);
    assert.equal(openLogCheckpoint(checkpoint(7, [k0]), history).signedBy.length, 1);
    const handover = openLogCheckpoint(checkpoint(10, [k1, k0]), history);
    assert.deepEqual(
      handover.signedBy.map((p) => p.keyId),
      [toHex(k0.keyId), toHex(k1.keyId)],
    );
    assert.equal(openLogCheckpoint(checkpoint(26, [k2]), history).checkpoint.size, 26);
  });

  it('ignores signatures by keys outside the history (witnesses)', () => {
    const witness = signer(7, 'witness.example/w1');
    const text = formatCheckpoint({ origin: ORIGIN, size: 26, rootHash: root(26), extensions: [] });
    const note = signNote(text, [k2, witness]);
    assert.equal(openLogCheckpoint(note, history).checkpoint.size, 26);
  });

  it('refuses a handover signed by one side only', () => {
    assert.throws(
      () => openLogCheckpoint(checkpoint(10, [k1]), history),
      code('UNKNOWN_KEY', new RegExp(`key ${toHex(k0.keyId)}`)),
    );
    assert.throws(() => openLogCheckpoint(checkpoint(25, [k1]), history), code('UNKNOWN_KEY'));
  });

  it('refuses a retired key signing past its handover, even beside the right key', () => {
    assert.throws(
      () => openLogCheckpoint(checkpoint(11, [k0]), history),
      code('INVALID_SIGNATURE', /signs only tree sizes 0–10, not 11/),
    );
    assert.throws(
      () => openLogCheckpoint(checkpoint(30, [k2, k0]), history),
      code('INVALID_SIGNATURE', /signs only tree sizes 0–10/),
    );
    // …and a new key signing before it took over.
    assert.throws(
      () => openLogCheckpoint(checkpoint(5, [k0, k2]), history),
      code('INVALID_SIGNATURE', /25 on/),
    );
  });

  it('refuses a key that is not in the history', () => {
    assert.throws(
      () => openLogCheckpoint(checkpoint(30, [signer(9)]), history),
      code('UNKNOWN_KEY'),
    );
  });
});

describe('rotation events and the first signature', () => {
  it('names the keys of one handover', () => {
    const history = twoRotations();
    const record = {
      source: 'evident',
      action: 'log_key.rotate',
      details: { old_verifier_key: vkey(k0), new_verifier_key: vkey(k1) },
    };
    assert.equal(rotationRecordProblem(record, 'evident', history[0]!, history[1]!), undefined);
    assert.match(rotationRecordProblem(record, 'evident', history[1]!, history[2]!)!, /other keys/);
    assert.match(
      rotationRecordProblem({ ...record, source: 'billing' }, 'evident', history[0]!, history[1]!)!,
      /not a log_key.rotate event/,
    );
  });

  it('reads the key id of the first signature line without verifying', () => {
    assert.deepEqual(firstSignatureKeyId(checkpoint(10, [k1, k0])), k1.keyId);
    assert.deepEqual(firstSignatureKeyId(checkpoint(10, [k0, k1])), k0.keyId);
    assert.equal(firstSignatureKeyId('no signatures\n'), undefined);
  });
});
