import { bytesEqual } from '../core/bytes.js';
import type { AppendBatch, ExpectedHead, LogHead, Store } from './store.js';

/** Is the committed head exactly the one a batch was planned on (size, root and signed note)? */
export function isExpectedHead(head: LogHead | undefined, expected: ExpectedHead): boolean {
  return (
    head !== undefined &&
    head.size === expected.size &&
    bytesEqual(head.rootHash, expected.rootHash) &&
    head.checkpoint.note === expected.note
  );
}

/** Store.appendIfHead for an adapter without a one-step form: the check inside `append`. */
export function appendIfHeadWithin(
  store: Pick<Store, 'append'>,
  expected: ExpectedHead,
  batch: AppendBatch,
): Promise<boolean> {
  return store.append(async (tx) => {
    if (!isExpectedHead(await tx.head(), expected)) return false;
    await tx.insert(batch);
    return true;
  });
}
