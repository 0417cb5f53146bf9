/**
 * How far the key tables (migration 14) may lag behind entries. A search reads the lagging
 * tail from entries by seq range, so this bounds that scan; a batch this size touches each
 * key page once for many rows instead of once per group commit.
 */
export const KEY_BATCH_ROWS = 16_384;

/** A tail smaller than a batch is indexed once the writer has had no commit for this long. */
export const IDLE_INDEX_MS = 1_000;
