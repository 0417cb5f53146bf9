/**
 * How far the key tables (migration 14) may lag behind entries. A search reads the lagging
 * tail from entries by seq range, so this bounds that scan; a batch this size touches each
 * key page once for several rows instead of once per group commit. Measured at 200,000
 * entries (bench/key-tables-ab.ts, bench/search-ab.ts, busy machine): at 16,384 a group of
 * 1,336 costs 36 µs/row CPU and 3.3 KiB/row, but a search over a full tail took ~20 ms; at
 * 4,096 it costs 47 µs/row and 6.5 KiB/row (the indexes on entries: 104 µs, 17.6 KiB).
 */
export const KEY_BATCH_ROWS = 4_096;

/**
 * A tail smaller than a batch is indexed once this long has passed since the last batch, so
 * under a light but steady load searches scan at most about this long's entries, not a batch.
 */
export const TAIL_INDEX_MS = 1_000;

/**
 * Key rows are led by their entry's bucket, seq >> KEY_BUCKET_BITS (migration 16), so a
 * batch writes only the newest bucket's pages: 65,536 entries of keys, a few hundred pages
 * per table. Searches seek once per bucket they walk, newest first, until their limit is met.
 * Migration 16 writes the same shift in its SQL; changing it needs a migration.
 */
export const KEY_BUCKET_BITS = 16;
