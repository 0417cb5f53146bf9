/**
 * The tree as C2SP tlog-tiles: a client holding only the log's verifier key reads the
 * checkpoint and tiles, and proves inclusion and consistency with the log's own verifier
 * (core/proof.ts), and checks every entry of a bundle against its level-0 tile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type Checkpoint, openCheckpoint } from '../../src/core/checkpoint.js';
import { leafHash } from '../../src/core/merkle.js';
import { formatVerifierKey, parseVerifierKey } from '../../src/core/note.js';
import {
  buildProof,
  consistencyProofRanges,
  inclusionProofRanges,
  proofNodeIds,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/proof.js';
import {
  decodeEntryBundle,
  formatTilePath,
  nodeFromTiles,
  TILE_WIDTH,
  tilesForNodes,
  tileWidthInTree,
} from '../../src/core/tiles.js';
import {
  call,
  event,
  type TestPrincipal,
  type TestServer,
  testServer,
} from '../support/test-server.js';

describe('tlog-tiles under /api/v1/log/', () => {
  let t: TestServer;
  let auditor: TestPrincipal;
  let early: Checkpoint;

  const checkpoint = async (): Promise<Checkpoint> => {
    const res = await call(t, 'GET', '/api/v1/log/checkpoint', auditor.headers);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const key = parseVerifierKey(formatVerifierKey(t.log.signer.name, t.log.signer.publicKey));
    return openCheckpoint(res.body, [key]);
  };

  const fetchTile = async (path: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/log/${path}`,
      headers: auditor.headers,
    });
    assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.match(String(res.headers['cache-control']), /immutable/);
    return new Uint8Array(res.rawPayload);
  };

  /** Every tile the proofs need, fetched at the widths a tree of `size` holds. */
  const tilesFor = async (ranges: ReturnType<typeof inclusionProofRanges>, size: number) => {
    const tiles = new Map<string, Uint8Array>();
    for (const tile of tilesForNodes(proofNodeIds(ranges), size)) {
      tiles.set(`${tile.level}/${tile.index}`, await fetchTile(formatTilePath(tile)));
    }
    return (id: { level: number; index: number }) =>
      nodeFromTiles(id, (level, index) => tiles.get(`${level}/${index}`));
  };

  before(async () => {
    t = await testServer();
    auditor = await t.principal({ roles: ['auditor'] });
    const key = await t.ingestKey('app');
    const append = async (n: number, from: number) => {
      const records = Array.from({ length: n }, (_, i) =>
        event({ action: `customer.read${from + i}` }),
      );
      const res = await call(t, 'POST', '/api/v1/events', key, records);
      assert.equal(res.statusCode, 201, res.body);
    };
    await append(300, 0);
    early = await checkpoint();
    await append(400, 300);
  });
  after(() => t.close());

  it('proves inclusion of entries from tiles alone', async () => {
    const cp = await checkpoint();
    assert.ok(cp.size > 2 * TILE_WIDTH, `size ${cp.size}`);
    for (const seq of [0, 255, 256, 511, 600, cp.size - 1]) {
      const ranges = inclusionProofRanges(seq, cp.size);
      const proof = buildProof(ranges, await tilesFor(ranges, cp.size));
      const bundleIndex = Math.floor(seq / TILE_WIDTH);
      const width = tileWidthInTree('entries', bundleIndex, cp.size);
      const bundle = decodeEntryBundle(
        await fetchTile(formatTilePath({ level: 'entries', index: bundleIndex, width })),
      );
      const leaf = leafHash(bundle[seq % TILE_WIDTH]!);
      verifyInclusion(seq, cp.size, leaf, proof, cp.rootHash);
    }
  });

  it('proves the later tree consistent with the earlier one from tiles', async () => {
    const cp = await checkpoint();
    const ranges = consistencyProofRanges(early.size, cp.size);
    const proof = buildProof(ranges, await tilesFor(ranges, cp.size));
    verifyConsistency(early.size, cp.size, proof, early.rootHash, cp.rootHash);
    // A tampered tile breaks it.
    const broken = await tilesFor(ranges, cp.size);
    const bad = buildProof(ranges, (id) => {
      const h = new Uint8Array(broken(id));
      h[0]! ^= 1;
      return h;
    });
    assert.throws(() => verifyConsistency(early.size, cp.size, bad, early.rootHash, cp.rootHash));
  });

  it('serves each entry bundle hashing to its level-0 tile, gzip when asked', async () => {
    const cp = await checkpoint();
    const hashes = await fetchTile('tile/0/000');
    assert.equal(hashes.byteLength, TILE_WIDTH * 32);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/log/tile/entries/000',
      headers: { ...auditor.headers, 'accept-encoding': 'gzip, identity' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    const entries = decodeEntryBundle(new Uint8Array(gunzipSync(res.rawPayload)));
    assert.equal(entries.length, TILE_WIDTH);
    entries.forEach((e, i) => {
      assert.deepEqual(leafHash(e), hashes.subarray(i * 32, (i + 1) * 32), `entry ${i}`);
    });
    assert.ok(cp.size >= TILE_WIDTH);
  });

  it('404s a tile the tree does not hold yet and 400s a path that is not a tile', async () => {
    const cp = await checkpoint();
    const beyond = tileWidthInTree(0, 2, cp.size) + 1;
    const cases: [string, number][] = [
      [`tile/0/002.p/${beyond}`, 404],
      ['tile/0/999', 404],
      ['tile/3/000.p/1', 404],
      ['tile/0/x000/002', 400],
      ['tile/0/002.p/256', 400],
      ['tile/entries', 400],
    ];
    for (const [path, status] of cases) {
      const res = await call(t, 'GET', `/api/v1/log/${path}`, auditor.headers);
      assert.equal(res.statusCode, status, `${path}: ${res.body}`);
      assert.ok(res.json().error.reason, path);
    }
  });

  it('is for unscoped readers only, and every read is self-audited', async () => {
    const scoped = await t.principal({ roles: ['auditor'], sources: ['app'] });
    const res = await call(t, 'GET', '/api/v1/log/tile/0/000', scoped.headers);
    assert.equal(res.statusCode, 403);
    const before = (await checkpoint()).size;
    await fetchTile('tile/entries/000');
    await t.log.sequencer.drain();
    const page = await call(
      t,
      'GET',
      `/api/v1/log/entries?start=${before}&end=${before + 5}`,
      auditor.headers,
    );
    const actions = page
      .json()
      .entries.map((e: { record: { action: string; details?: { tile?: string } } }) => [
        e.record.action,
        e.record.details?.tile,
      ]);
    assert.deepEqual(actions[0], ['audit_log.export', 'tile/entries/000']);
  });
});
