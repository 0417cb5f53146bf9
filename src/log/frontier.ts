import { bytesEqual } from '../core/bytes.js';
import { frontierNodeIds, MerkleFrontier } from '../core/merkle.js';
import { AppError } from '../errors.js';
import { type LogHead, nodeKey, type Store } from '../store/store.js';

type NodeReader = Pick<Store, 'nodes'>;

/**
 * Rebuilds the right edge of the tree from the committed nodes (O(log n) reads) and checks
 * it against the head's signed root before anything is appended on top of it.
 */
export async function loadFrontier(reader: NodeReader, head: LogHead): Promise<MerkleFrontier> {
  const ids = frontierNodeIds(head.size);
  const found = await reader.nodes(ids);
  const hashes = ids.map(({ level, index }) => {
    const hash = found.get(nodeKey(level, index));
    if (!hash) {
      throw new AppError(
        'store_inconsistent',
        `tree node level ${level} index ${index} is missing from the store; run \`evident verify\``,
      );
    }
    return hash;
  });
  const frontier = MerkleFrontier.fromHashes(head.size, hashes);
  if (!bytesEqual(frontier.root(), head.rootHash)) {
    throw new AppError(
      'store_inconsistent',
      `the stored tree does not match the latest checkpoint (size ${head.size}); run \`evident verify\``,
    );
  }
  return frontier;
}
