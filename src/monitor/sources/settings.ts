import { AppError } from '../../errors.js';
import { DEFAULT_LATE_AFTER_MS } from '../engine/event-time.js';
import { formatDuration, parseDuration } from './duration.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from './skew-flags.js';

/** How source health judges sources; the server passes the same values to its routes. */
export interface SourceSettings {
  /** |received_at − time| beyond this is flagged on read and raises an alert. */
  maxClockSkewMs: number;
  /** Longest silence for sources without their own; null: such sources are not monitored. */
  defaultMaxSilenceMs: number | null;
  /** How often the silence check runs: silence is noticed at most this late. */
  checkIntervalMs: number;
  /**
   * received_at − time beyond this makes an entry `late`: the rules evaluate it on its
   * event time but it never opens an alert on its own (docs/rules.md, "Event time").
   */
  lateAfterMs: number;
}

export const DEFAULT_SOURCE_SETTINGS: Readonly<SourceSettings> = {
  maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
  defaultMaxSilenceMs: 3_600_000,
  checkIntervalMs: 30_000,
  lateAfterMs: DEFAULT_LATE_AFTER_MS,
};

/** Bounds: a second up to a year (a day for the check interval). */
const MIN_MS = 1000;
const MAX_MS = 366 * 86_400_000;

/**
 * A duration setting: `15m`, `1h30m`…; `off` (or `none`) where turning it off is allowed.
 * Throws an Error naming `what` (a flag or an environment variable) and what to write.
 */
export function parseDurationSetting(
  text: string,
  what: string,
  options: { allowOff?: boolean; maxMs?: number } = {},
): number | null {
  if (options.allowOff && (text === 'off' || text === 'none')) return null;
  const ms = parseDuration(text);
  const max = options.maxMs ?? MAX_MS;
  if (ms === undefined || ms < MIN_MS || ms > max) {
    throw new AppError(
      'invalid_field',
      `${what} must be a duration between 1s and ${formatDuration(max)} like 15m or 1h30m${options.allowOff ? ", or 'off'" : ''} (got "${text}")`,
    );
  }
  return ms;
}

/**
 * Settings from EVIDENT_MAX_CLOCK_SKEW, EVIDENT_SOURCE_MAX_SILENCE,
 * EVIDENT_SOURCE_CHECK_INTERVAL and EVIDENT_LATE_EVENT_BOUND.
 */
export function sourceSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): SourceSettings {
  const read = (name: string) =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  const skew = read('EVIDENT_MAX_CLOCK_SKEW');
  const silence = read('EVIDENT_SOURCE_MAX_SILENCE');
  const interval = read('EVIDENT_SOURCE_CHECK_INTERVAL');
  const late = read('EVIDENT_LATE_EVENT_BOUND');
  return {
    maxClockSkewMs:
      skew === undefined
        ? DEFAULT_SOURCE_SETTINGS.maxClockSkewMs
        : parseDurationSetting(skew, 'EVIDENT_MAX_CLOCK_SKEW')!,
    defaultMaxSilenceMs:
      silence === undefined
        ? DEFAULT_SOURCE_SETTINGS.defaultMaxSilenceMs
        : parseDurationSetting(silence, 'EVIDENT_SOURCE_MAX_SILENCE', { allowOff: true }),
    checkIntervalMs:
      interval === undefined
        ? DEFAULT_SOURCE_SETTINGS.checkIntervalMs
        : parseDurationSetting(interval, 'EVIDENT_SOURCE_CHECK_INTERVAL', {
            maxMs: 86_400_000,
          })!,
    lateAfterMs:
      late === undefined
        ? DEFAULT_SOURCE_SETTINGS.lateAfterMs
        : parseDurationSetting(late, 'EVIDENT_LATE_EVENT_BOUND')!,
  };
}
