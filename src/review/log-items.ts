import { scopeOf } from '../access/authorization/source-scope.js';
import { toBase64 } from '../core/bytes.js';
import { sha256 } from '../core/hash.js';
import { AppError } from '../errors.js';
import type { EntryFilter, Store, StoredEntry } from '../store/store.js';
import type { ReviewSpec } from './review-types.js';

/** The most items one review takes: a reviewer reads each, and the pin stores their seqs. */
export const MAX_REVIEW_ITEMS = 10_000;
const PAGE = 1000;

export interface LogItems {
  /** Ascending. */
  seqs: number[];
  /** SHA-256 over the items' 32-byte leaf hashes in ascending seq order, base64. */
  sha256: string;
  /** The distinct actor ids among the items (separation of duties checks them). */
  actors: string[];
}

/**
 * The entries a log review covers as of `treeSize`: received in [fromMs, toMs), of its
 * sources, matching its filter. Anyone holding the log recomputes the same set and hash
 * from the tree size, the period and the definition (docs/reviews.md).
 */
export async function logItems(
  store: Pick<Store, 'search' | 'firstSeqReceivedAtOrAfter'>,
  spec: Pick<ReviewSpec, 'sources' | 'filter'>,
  period: { fromMs: number; toMs: number },
  treeSize: number,
): Promise<LogItems> {
  const fromSeq = await store.firstSeqReceivedAtOrAfter(period.fromMs);
  const endSeq = Math.min(await store.firstSeqReceivedAtOrAfter(period.toMs), treeSize);
  const scope = scopeOf([spec.sources]);
  const f = spec.filter;
  const base: Omit<EntryFilter, 'limit'> = {
    ...(scope.all ? {} : { sources: { exact: scope.exact, prefixes: scope.prefixes } }),
    ...(f.action !== undefined ? { action: f.action } : {}),
    ...(f.action_prefix !== undefined ? { actionPrefix: f.action_prefix } : {}),
    ...(f.actor !== undefined ? { actor: f.actor } : {}),
    ...(f.outcome !== undefined ? { outcome: f.outcome } : {}),
    ...(f.target_type !== undefined ? { targetType: f.target_type } : {}),
  };
  const found: StoredEntry[] = [];
  let toSeq = endSeq;
  while (toSeq > fromSeq) {
    // Newest first, one page below the last: bounded memory per query, keyset by seq.
    const page = await store.search({ ...base, fromSeq, toSeq, limit: PAGE });
    found.push(...page);
    if (found.length > MAX_REVIEW_ITEMS) {
      throw new AppError(
        'review_too_large',
        `this review covers more than ${MAX_REVIEW_ITEMS} events; narrow its sources or filter, or choose a shorter cadence`,
      );
    }
    if (page.length < PAGE) break;
    toSeq = page[page.length - 1]!.seq;
  }
  found.sort((a, b) => a.seq - b.seq);
  const actors = new Set<string>();
  for (const e of found) {
    const actor = (JSON.parse(e.record) as { actor?: { id?: unknown } }).actor?.id;
    if (typeof actor === 'string') actors.add(actor);
  }
  return {
    seqs: found.map((e) => e.seq),
    sha256: itemsHash(found.map((e) => e.leafHash)),
    actors: [...actors].sort(),
  };
}

/** SHA-256 over the leaf hashes, concatenated in the order given (ascending seq). */
export function itemsHash(leafHashes: readonly Uint8Array[]): string {
  return toBase64(sha256(...leafHashes));
}
