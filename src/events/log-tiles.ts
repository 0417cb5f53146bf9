/**
 * The log as C2SP tlog-tiles resources (docs/witnesses.md, "Tiles"): hash tiles from the
 * stored complete subtrees, entry bundles from the canonical records. A tile is served only
 * at a width the current tree holds; the tree only grows, so a tile once served never
 * changes (partial tiles included: a wider one is another resource).
 */
import { isCoreError } from '../core/errors.js';
import {
  encodeEntryBundle,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TileId,
  tileWidthInTree,
} from '../core/tiles.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { nodeKey } from '../store/store.js';

export interface ServedTile {
  tile: TileId;
  bytes: Uint8Array;
  /** The entries [start, end) the tile spans at its width. */
  start: number;
  end: number;
}

export class LogTiles {
  constructor(private readonly store: Store) {}

  /** Parses `tile/…` (400 with what a path looks like when it is not one). */
  parse(path: string): TileId {
    try {
      return parseTilePath(path);
    } catch (error) {
      if (!isCoreError(error)) throw error;
      throw new AppError('invalid_argument', error.message, { path: 'path' });
    }
  }

  async read(tile: TileId): Promise<ServedTile> {
    const head = await this.store.head();
    const size = head?.size ?? 0;
    const available = tileWidthInTree(tile.level, tile.index, size);
    if (available < tile.width) {
      throw new AppError(
        'not_found',
        `the tree (size ${size}) holds ${available === 0 ? 'no' : `only ${available} hashes of`} tile ${String(tile.level)}/${tile.index}${tile.width < TILE_WIDTH ? ` at width ${tile.width}` : ''}; fetch the checkpoint first and only the tiles its size needs`,
      );
    }
    const span = TILE_WIDTH ** (tile.level === 'entries' ? 0 : tile.level);
    const start = tile.index * TILE_WIDTH * span;
    const end = start + tile.width * span;
    if (tile.level === 'entries') {
      const entries = await this.store.entries(start, end);
      if (entries.length !== tile.width) throw missing(`entries ${start}..${end - 1}`);
      const encoder = new TextEncoder();
      return {
        tile,
        start,
        end,
        bytes: encodeEntryBundle(entries.map((e) => encoder.encode(e.record))),
      };
    }
    const level = tile.level * TILE_HEIGHT;
    const ids = Array.from({ length: tile.width }, (_, i) => ({
      level,
      index: tile.index * TILE_WIDTH + i,
    }));
    const found = await this.store.nodes(ids);
    const bytes = new Uint8Array(tile.width * 32);
    for (const [i, id] of ids.entries()) {
      const hash = found.get(nodeKey(id.level, id.index));
      if (!hash) throw missing(`tree node level ${id.level} index ${id.index}`);
      bytes.set(hash, i * 32);
    }
    return { tile, start, end, bytes };
  }
}

function missing(what: string): AppError {
  return new AppError('store_inconsistent', `${what} is missing; run \`evident verify\``);
}
