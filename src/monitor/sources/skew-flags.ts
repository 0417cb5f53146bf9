/** Beyond this, an entry's `time` is flagged on read; EVIDENT_MAX_CLOCK_SKEW. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const CLOCK_SKEW_FLAG = 'clock_skew';

export interface SkewFlags {
  flags: [typeof CLOCK_SKEW_FLAG];
  /** received_at − time: positive when the source's clock is behind the server's. */
  skew_ms: number;
}

/**
 * The read-time flags of one entry: set when the source's clock and the server's disagree by
 * more than `maxSkewMs` either way (exactly `maxSkewMs` is still fine). They travel beside
 * the record, never inside it: the record is what was hashed.
 */
export function skewFlags(
  timeMs: number,
  receivedAtMs: number,
  maxSkewMs: number,
): SkewFlags | undefined {
  const skew = receivedAtMs - timeMs;
  return Math.abs(skew) > maxSkewMs ? { flags: [CLOCK_SKEW_FLAG], skew_ms: skew } : undefined;
}
