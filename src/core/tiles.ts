/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles): the tree as static resources. A tile at level L,
 * index N holds up to 256 consecutive hashes of complete subtrees of height 8·L (level 0: leaf
 * hashes); `tile/entries/N` holds the entries those level-0 hashes hash. Pure: paths, widths,
 * and the complete-subtree hashes a verifier recomputes from tiles (so proofs can be built
 * from tiles alone with core/proof.ts).
 */
import { CoreError } from './errors.js';
import { HASH_SIZE, type NodeId, nodeHash, pow2 } from './merkle.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const MAX_TILE_LEVEL = 63;

export interface TileId {
  /** A hash tile's level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** 1..256; 256 is a full tile (no `.p/<W>` in its path). */
  width: number;
}

/** tile/<L>/<N>[.p/<W>] with N as x-prefixed 3-digit elements (1234067 → x001/x234/067). */
export function formatTilePath(tile: TileId): string {
  const groups: string[] = [];
  let n = tile.index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  const index = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${index}${partial}`;
}

function badPath(path: string, why: string): CoreError {
  return new CoreError(
    'INVALID_ARGUMENT',
    `"${path}" is not a tile path (${why}); expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N as x-prefixed 3-digit elements (c2sp.org/tlog-tiles)`,
  );
}

/** Parses a path as formatTilePath writes it; any other spelling of the same tile is refused. */
export function parseTilePath(path: string): TileId {
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw badPath(path, 'too short');
  const levelText = parts[1]!;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (/^(0|[1-9][0-9]?)$/.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL) {
    level = Number(levelText);
  } else throw badPath(path, `level "${levelText}" is not 0..63 or entries`);
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest.length - 1;
  if (rest.length >= 2 && rest[last - 1]!.endsWith('.p')) {
    const w = rest[last]!;
    if (!/^[1-9][0-9]{0,2}$/.test(w) || Number(w) >= TILE_WIDTH) {
      throw badPath(path, `width "${w}" is not 1..255`);
    }
    width = Number(w);
    rest = [...rest.slice(0, last - 1), rest[last - 1]!.slice(0, -2)];
  }
  // Up to 6 elements: indexes below 10^18, beyond any tree this log can hold.
  if (rest.length > 6) throw badPath(path, 'the index is too long');
  let index = 0;
  for (const [i, element] of rest.entries()) {
    const final = i === rest.length - 1;
    const match = (final ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(element);
    if (!match) throw badPath(path, `index element "${element}"`);
    index = index * 1000 + Number(match[1]);
  }
  const tile: TileId = { level, index, width };
  if (!Number.isSafeInteger(index) || formatTilePath(tile) !== path) {
    throw badPath(path, 'not the canonical spelling of its index');
  }
  return tile;
}

/**
 * How many hashes tile (level, index) holds in a tree of `treeSize` leaves: 256 when full,
 * 0 when the tree does not reach it. An entry bundle is as wide as its level-0 tile.
 */
export function tileWidthInTree(
  level: number | 'entries',
  index: number,
  treeSize: number,
): number {
  const hashesAtLevel = Math.floor(treeSize / TILE_WIDTH ** (level === 'entries' ? 0 : level));
  return Math.max(0, Math.min(TILE_WIDTH, hashesAtLevel - index * TILE_WIDTH));
}

/** The tiles (at widths of a tree of `treeSize`) that hold the hashes of these complete nodes. */
export function tilesForNodes(ids: readonly NodeId[], treeSize: number): TileId[] {
  const seen = new Map<string, TileId>();
  for (const id of ids) {
    const { level, index } = tileOf(id);
    const tile = { level, index, width: tileWidthInTree(level, index, treeSize) };
    seen.set(formatTilePath(tile), tile);
  }
  return [...seen.values()];
}

function tileOf(id: NodeId): { level: number; index: number; first: number; count: number } {
  const level = Math.floor(id.level / TILE_HEIGHT);
  const count = pow2(id.level - level * TILE_HEIGHT);
  const firstHash = id.index * count; // at node level 8·level
  return {
    level,
    index: Math.floor(firstHash / TILE_WIDTH),
    first: firstHash % TILE_WIDTH,
    count,
  };
}

/**
 * The hash of a complete subtree, recomputed from the tile that holds its leaves' hashes
 * (within a tile, the levels between 8·L and 8·L+7 are not stored: they are hashed here).
 * `tile(level, index)` returns that tile's bytes as fetched.
 */
export function nodeFromTiles(
  id: NodeId,
  tile: (level: number, index: number) => Uint8Array | undefined,
): Uint8Array {
  const where = tileOf(id);
  const bytes = tile(where.level, where.index);
  if (!bytes || bytes.byteLength < (where.first + where.count) * HASH_SIZE) {
    throw new CoreError(
      'INVALID_PROOF',
      `tile ${where.level}/${where.index} does not hold node level ${id.level} index ${id.index}`,
    );
  }
  let hashes: Uint8Array[] = [];
  for (let i = where.first; i < where.first + where.count; i++) {
    hashes.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  while (hashes.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < hashes.length; i += 2) next.push(nodeHash(hashes[i]!, hashes[i + 1]!));
    hashes = next;
  }
  return hashes[0]!;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const total = entries.reduce((sum, e) => sum + 2 + e.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const entry of entries) {
    if (entry.byteLength > 0xffff) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        'an entry bundle holds entries of at most 65535 bytes',
      );
    }
    view.setUint16(at, entry.byteLength);
    out.set(entry, at + 2);
    at += 2 + entry.byteLength;
  }
  return out;
}

export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.byteLength) {
    if (at + 2 > bundle.byteLength)
      throw new CoreError('INVALID_ARGUMENT', 'truncated entry bundle');
    const length = view.getUint16(at);
    if (at + 2 + length > bundle.byteLength) {
      throw new CoreError('INVALID_ARGUMENT', 'truncated entry bundle');
    }
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}
