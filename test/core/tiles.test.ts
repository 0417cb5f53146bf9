/**
 * C2SP tlog-tiles paths and widths against the spec's own examples (test/vectors/c2sp), and
 * subtree hashes recomputed from tiles against the tree's hashes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash, nodeHash, rootFromLeafHashes } from '../../src/core/merkle.js';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  formatTilePath,
  nodeFromTiles,
  parseTilePath,
  TILE_WIDTH,
  tileWidthInTree,
} from '../../src/core/tiles.js';
import { readVectorJson } from '../support/vectors.js';

interface TilesVectors {
  tlog_tiles: {
    index_encoding_example: { N: number; path_element: string };
    computed_paths: string[];
    tiles_for_size: Record<
      string,
      {
        level: number;
        full_tiles: number;
        partial_width: number | null;
        partial_path: string | null;
      }[]
    >;
  };
}

const vectors = readVectorJson<TilesVectors>('c2sp', 'c2sp-spec-examples.json').tlog_tiles;

describe('tlog-tiles paths', () => {
  it('encodes the index as the spec example does', () => {
    const { N, path_element } = vectors.index_encoding_example;
    assert.equal(
      formatTilePath({ level: 0, index: N, width: TILE_WIDTH }),
      `tile/0/${path_element}`,
    );
  });

  it('parses and formats every example path unchanged', () => {
    for (const path of vectors.computed_paths) {
      assert.equal(formatTilePath(parseTilePath(path)), path);
    }
    assert.deepEqual(parseTilePath('tile/2/x001/x234/067.p/17'), {
      level: 2,
      index: 1234067,
      width: 17,
    });
    assert.deepEqual(parseTilePath('tile/entries/273.p/112'), {
      level: 'entries',
      index: 273,
      width: 112,
    });
  });

  it('refuses non-canonical and malformed paths', () => {
    for (const path of [
      'tile/0/x000/001', // 1 spelled with a leading zero element
      'tile/0/1',
      'tile/0/0001',
      'tile/0/001/x002',
      'tile/0/000.p/0',
      'tile/0/000.p/256',
      'tile/0/000.p/05',
      'tile/64/000',
      'tile/00/000',
      'tile/-1/000',
      'tile/data/000',
      'tile/0',
      'tile/0/000/',
      'tiles/0/000',
      'tile/4/0/001', // the Go sumdb layout (height in the path) is another format
    ]) {
      assert.throws(() => parseTilePath(path), /not a tile path/, path);
    }
  });

  it('gives each level the widths the spec lists for a tree size', () => {
    for (const [sizeText, levels] of Object.entries(vectors.tiles_for_size)) {
      const size = Number(sizeText);
      for (const l of levels) {
        for (let n = 0; n < l.full_tiles; n++) {
          assert.equal(
            tileWidthInTree(l.level, n, size),
            TILE_WIDTH,
            `size ${size} tile ${l.level}/${n}`,
          );
        }
        const partial = tileWidthInTree(l.level, l.full_tiles, size);
        assert.equal(
          partial === 0 ? null : partial,
          l.partial_width,
          `size ${size} level ${l.level}`,
        );
        if (l.partial_path) {
          assert.equal(
            formatTilePath({ level: l.level, index: l.full_tiles, width: partial }),
            l.partial_path,
          );
        }
      }
      // No tile beyond the last level listed.
      assert.equal(tileWidthInTree(levels.length, 0, size), 0);
    }
  });
});

describe('subtree hashes from tiles', () => {
  // 600 leaves: two full level-0 tiles, a partial one of 88, and a level-1 tile of width 2.
  const leaves = Array.from({ length: 600 }, (_, i) => leafHash(`entry ${i}`));
  const concat = (hashes: Uint8Array[]) => {
    const out = new Uint8Array(hashes.length * 32);
    for (const [i, h] of hashes.entries()) out.set(h, i * 32);
    return out;
  };
  const level0 = [0, 1, 2].map((n) => concat(leaves.slice(n * 256, (n + 1) * 256)));
  const level1 = concat(
    [0, 1].map((n) => rootFromLeafHashes(leaves.slice(n * 256, (n + 1) * 256))),
  );
  const tile = (level: number, index: number) =>
    level === 0 ? level0[index] : level === 1 ? level1 : undefined;

  it('recomputes nodes at every height within and across tiles', () => {
    assert.deepEqual(nodeFromTiles({ level: 0, index: 300 }, tile), leaves[300]);
    assert.deepEqual(
      nodeFromTiles({ level: 1, index: 150 }, tile),
      nodeHash(leaves[300]!, leaves[301]!),
    );
    assert.deepEqual(
      nodeFromTiles({ level: 6, index: 8 }, tile),
      rootFromLeafHashes(leaves.slice(512, 576)),
    );
    assert.deepEqual(
      nodeFromTiles({ level: 8, index: 1 }, tile),
      rootFromLeafHashes(leaves.slice(256, 512)),
    );
    assert.deepEqual(
      nodeFromTiles({ level: 9, index: 0 }, tile),
      rootFromLeafHashes(leaves.slice(0, 512)),
    );
  });

  it('refuses a node its tile does not hold', () => {
    assert.throws(() => nodeFromTiles({ level: 7, index: 4 }, tile), /does not hold/); // leaves 512..639
    assert.throws(() => nodeFromTiles({ level: 16, index: 0 }, tile), /does not hold/);
  });
});

describe('entry bundles', () => {
  it('round-trips uint16 length-prefixed entries', () => {
    const entries = ['{"a":1}', '', 'é'.repeat(100)].map((s) => new TextEncoder().encode(s));
    const bundle = encodeEntryBundle(entries);
    assert.deepEqual([...bundle.subarray(0, 2)], [0, 7]);
    assert.deepEqual(decodeEntryBundle(bundle), entries);
    assert.throws(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1)), /truncated/);
    assert.throws(() => encodeEntryBundle([new Uint8Array(65536)]), /65535/);
  });
});
