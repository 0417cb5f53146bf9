import { bytesEqual } from '../core/bytes.js';
import type { ExpectedHead, LogHead } from './store.js';

/** Is the committed head exactly the one a batch was planned on (size, root and signed note)? */
export function isExpectedHead(head: LogHead | undefined, expected: ExpectedHead): boolean {
  return (
    head !== undefined &&
    head.size === expected.size &&
    bytesEqual(head.rootHash, expected.rootHash) &&
    head.checkpoint.note === expected.note
  );
}
