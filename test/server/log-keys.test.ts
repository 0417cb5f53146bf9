import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/client/api-client.js';
import { openCheckpoint, signCheckpoint } from '../../src/core/checkpoint.js';
import { isCoreError } from '../../src/core/errors.js';
import { EMPTY_ROOT } from '../../src/core/merkle.js';
import {
  formatVerifierKey,
  generateSignerKey,
  type NoteSigner,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/core/note.js';
import { rotateFolderKey } from '../../src/log/rotate-folder-key.js';
import { describeTrust, type LogKeysDocument, trustLogKeys } from '../../src/verify/log-keys.js';
import { verifyRemote } from '../../src/verify/verify-remote.js';
import {
  ADMIN_TOKEN,
  event,
  START_MS,
  TEST_ORIGIN,
  type TestServer,
  testServer,
} from '../support/test-server.js';

const vkey = (s: NoteSigner) => formatVerifierKey(s.name, s.publicKey);
const OPERATOR = { id: 'ops-ada', type: 'operator' };

describe('GET /api/v1/log/keys and verifying across rotations', () => {
  let t: TestServer;
  let billing: { authorization: string };
  let k0: NoteSigner;
  let url: string;

  before(async () => {
    t = await testServer();
    billing = await t.ingestKey('billing-api');
    k0 = t.log.signer;
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => t.close());

  const keys = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/log/keys' });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as LogKeysDocument;
  };
  const post = async (n: number) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...billing, 'content-type': 'application/json' },
      payload: JSON.stringify(event({ actor: { id: `u-${n}` } })),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { checkpoint: string };
  };
  const client = () => new ApiClient({ baseUrl: url, token: ADMIN_TOKEN });

  it('is public and lists the one key of a new log, valid from the empty tree', async () => {
    const doc = await keys();
    assert.deepEqual(doc, {
      origin: TEST_ORIGIN,
      current: vkey(k0),
      keys: [
        {
          verifier_key: vkey(k0),
          key_id: Buffer.from(k0.keyId).toString('hex'),
          from_size: 0,
          until_size: null,
          from_time: new Date(START_MS).toISOString(),
          until_time: null,
          handover_checkpoint: null,
        },
      ],
    });
    const typo = await t.app.inject({ method: 'GET', url: '/api/v1/log/keys?size=3' });
    assert.equal(typo.statusCode, 400);
  });

  it('after a rotation: both keys with their ranges, the handover signed by both, new checkpoints by the new key', async () => {
    await post(1);
    t.clock.advance(60_000);
    const rotated = await rotateFolderKey(t.log, t.dir, { actor: OPERATOR });
    const k1 = parseSignerKey(readFileSync(rotated.keyFile, 'utf8').trim());
    const handover = rotated.current.fromSize;
    const doc = await keys();
    assert.equal(doc.current, vkey(k1));
    assert.deepEqual(
      doc.keys.map((k) => [k.verifier_key, k.from_size, k.until_size]),
      [
        [vkey(k0), 0, handover],
        [vkey(k1), handover, null],
      ],
    );
    assert.equal(doc.keys[0]!.until_time, new Date(START_MS + 60_000).toISOString());
    assert.equal(doc.keys[1]!.from_time, doc.keys[0]!.until_time);
    for (const key of [k0, k1]) {
      const cp = openCheckpoint(doc.keys[1]!.handover_checkpoint!, [parseVerifierKey(vkey(key))]);
      assert.equal(cp.size, handover);
    }
    const info = (await t.app.inject({ url: '/api/v1/log', headers: t.admin })).json() as {
      verifier_key: string;
    };
    assert.equal(info.verifier_key, vkey(k1), '/api/v1/log states the current key');

    const after = await post(2);
    openCheckpoint(after.checkpoint, [parseVerifierKey(vkey(k1))]);
    assert.throws(
      () => openCheckpoint(after.checkpoint, [parseVerifierKey(vkey(k0))]),
      (e: unknown) => isCoreError(e, 'UNKNOWN_KEY'),
      'the retired key no longer signs',
    );
  });

  it('a client that pinned the first key chains to the current one; a forged next key is refused', async () => {
    const doc = await keys();
    const trusted = trustLogKeys(doc, TEST_ORIGIN, vkey(k0));
    assert.equal(trusted.anchor, 0);
    assert.match(describeTrust(trusted), /through 1 handover checkpoint/);

    // A server that swaps in a key of its own cannot show a handover the old key signed.
    const forger = parseSignerKey(generateSignerKey(TEST_ORIGIN));
    const forged = structuredClone(doc);
    const last = forged.keys[1]!;
    last.verifier_key = vkey(forger);
    last.key_id = Buffer.from(forger.keyId).toString('hex');
    forged.current = last.verifier_key;
    last.handover_checkpoint = signCheckpoint(
      { origin: TEST_ORIGIN, size: last.from_size, rootHash: EMPTY_ROOT, extensions: [] },
      forger,
    );
    assert.throws(
      () => trustLogKeys(forged, TEST_ORIGIN, vkey(k0)),
      (e: unknown) => isCoreError(e, 'UNKNOWN_KEY'),
    );
  });

  it('verify --url logic: passes pinned to the old or the new key, fails for a stranger', async () => {
    for (const pinned of [undefined, vkey(k0), (await keys()).current]) {
      const report = await verifyRemote(client(), pinned ? { verifierKey: pinned } : {});
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.checkpointsChecked, 2, 'the latest and the handover');
    }
    // Pages checked on worker threads still show the rotation event and the handover root.
    const threaded = await verifyRemote(client(), {
      verifierKey: vkey(k0),
      connection: { baseUrl: url, token: ADMIN_TOKEN },
      threads: 2,
    });
    assert.equal(threaded.ok, true, JSON.stringify(threaded.problems));
    assert.equal(threaded.checkpointsChecked, 2, 'the latest and the handover');
    const pinnedOld = await verifyRemote(client(), { verifierKey: vkey(k0) });
    assert.match(pinnedOld.trust!, /pinned key .* through 1 handover/);
    const stranger = vkey(parseSignerKey(generateSignerKey(TEST_ORIGIN)));
    const refused = await verifyRemote(client(), { verifierKey: stranger });
    assert.equal(refused.problems[0]?.kind, 'checkpoint_invalid');
    assert.match(refused.problems[0]!.message, /pinned key is not one of this log's keys/);
  });
});
