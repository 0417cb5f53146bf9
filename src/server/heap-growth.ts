import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past the live heap before its next full collection,
 * in percent, for `evident serve`. V8's own factor goes up to 4× when collections are cheap,
 * and ingest promotes request bodies that died just after their ack: measured with
 * bench/rss-ingest.ts, the old space of a server with ~50 MB live climbed to 200+ MB of
 * garbage between full collections (RSS 440 MB). At 30% it stays near 1.3× the live heap.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 30;

/** The percent `EVIDENT_HEAP_GROWING_PERCENT` asks for (0: V8's own heuristics), or an error. */
export function heapGrowingPercent(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_HEAP_GROWING_PERCENT;
  if (!/^[0-9]+$/.test(fromEnv) || Number(fromEnv) > 1000) {
    throw new Error(
      `EVIDENT_HEAP_GROWING_PERCENT=${fromEnv}: give a whole number of percent from 0 (V8's default) to 1000, e.g. 30`,
    );
  }
  return Number(fromEnv);
}

/**
 * Applies the growing factor to this process. V8 reads `--heap-growing-percent` each time it
 * sets the next full-collection limit (MemoryController::GrowingFactor), so setting it after
 * start takes effect from the next collection on; unlike `--max-old-space-size` it never makes
 * a large live heap fail, it only collects sooner. Worker threads share the flag.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
