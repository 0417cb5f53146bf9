import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cosignCheckpoint, formatCosignatureVerifierKey } from '../../src/core/cosignature.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { isCoreError } from '../../src/core/errors.js';
import {
  checkCosignatures,
  describeVerdict,
  parseWitnessPolicy,
} from '../../src/core/witness-policy.js';
import { ToyLog } from '../support/toy-log.js';

const seeds = [11, 12, 13, 14].map((b) => new Uint8Array(32).fill(b));
const names = ['w1.test/a', 'w2.test/b', 'w3.test/c', 'stranger.test/x'];
const vkeys = seeds.map((s, i) => formatCosignatureVerifierKey(names[i]!, publicKeyFromSeed(s)));
const POLICY = `# three witnesses, two must cosign
witness ${vkeys[0]} https://w1.test/
witness ${vkeys[1]}
witness ${vkeys[2]}
quorum 2
`;

const log = new ToyLog('log.test/a', 1).append(9);

function cosigned(note: string, which: number[], timestamp = 1_800_000_000): string {
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  return note + which.map((i) => cosignCheckpoint(text, names[i]!, seeds[i]!, timestamp)).join('');
}

describe('witness policy file', () => {
  test('parses witnesses (name from the key, optional URL) and the quorum', () => {
    const policy = parseWitnessPolicy(POLICY);
    assert.equal(policy.quorum, 2);
    assert.deepEqual(
      policy.witnesses.map((w) => [w.name, w.url]),
      [
        ['w1.test/a', 'https://w1.test'],
        ['w2.test/b', undefined],
        ['w3.test/c', undefined],
      ],
    );
  });

  const bad: [string, string, RegExp][] = [
    ['no quorum', `witness ${vkeys[0]}\n`, /no "quorum <k>"/],
    ['no witness', 'quorum 1\n', /lists no witness/],
    ['quorum above n', `witness ${vkeys[0]}\nquorum 2\n`, /asks for 2 .* lists 1/],
    ['quorum 0', `witness ${vkeys[0]}\nquorum 0\n`, /line 2: quorum must be a positive/],
    [
      'a log key, not a cosignature key',
      `witness ${log.verifierKey}\nquorum 1\n`,
      /line 1: .*cosignature key/,
    ],
    ['a witness twice', `witness ${vkeys[0]}\nwitness ${vkeys[0]}\nquorum 1\n`, /line 2: .*twice/],
    ['unknown directive', `witnes ${vkeys[0]}\nquorum 1\n`, /line 1: expected/],
    ['a URL that is not http', `witness ${vkeys[0]} ftp://x\nquorum 1\n`, /not an http/],
  ];
  for (const [name, text, message] of bad) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => parseWitnessPolicy(text),
        (e: unknown) => isCoreError(e, 'INVALID_ARGUMENT') && message.test(e.message),
      );
    });
  }
});

describe('checkCosignatures', () => {
  const policy = parseWitnessPolicy(POLICY);

  test('k of n valid cosignatures pass and name the witnesses', () => {
    const v = checkCosignatures(cosigned(log.checkpoint(), [0, 2, 3]), policy);
    assert.equal(v.ok, true);
    assert.deepEqual(v.signed, ['w1.test/a', 'w3.test/c']);
    assert.deepEqual(v.missing, ['w2.test/b']);
    assert.equal(v.newestTimestamp, 1_800_000_000);
    assert.match(
      describeVerdict(v),
      /cosigned by 2 witness\(es\) \(w1.test\/a, w3.test\/c\), 2 required; no cosignature from w2.test\/b/,
    );
  });

  test('fewer than k fail; an unknown witness does not count', () => {
    const v = checkCosignatures(cosigned(log.checkpoint(), [1, 3]), policy);
    assert.equal(v.ok, false);
    assert.deepEqual(v.signed, ['w2.test/b']);
  });

  test('the log signature alone fails', () => {
    const v = checkCosignatures(log.checkpoint(), policy);
    assert.deepEqual([v.ok, v.signed, v.missing.length], [false, [], 3]);
  });

  test('cosignatures moved onto a rewritten checkpoint are named invalid', () => {
    const genuine = cosigned(log.checkpoint(), [0, 1]);
    const lines = genuine
      .slice(genuine.lastIndexOf('\n\n') + 2)
      .split('\n')
      .slice(1)
      .join('\n');
    const forged = new ToyLog('log.test/a', 1).append(9, 'rewritten').checkpoint();
    const v = checkCosignatures(`${forged}${lines}`, policy);
    assert.equal(v.ok, false);
    assert.deepEqual(v.invalid, ['w1.test/a', 'w2.test/b']);
    assert.match(describeVerdict(v), /INVALID cosignature from w1.test\/a, w2.test\/b/);
  });
});
