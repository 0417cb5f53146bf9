import { existsSync } from 'node:fs';

/** Debian's libfaketime (`apt-get install faketime`; .ci/run installs it when missing). */
export const LIBFAKETIME =
  process.env.EVIDENT_TEST_LIBFAKETIME ?? '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const IN_CI = process.env.CI === 'true';

/**
 * True when the moved-clock tests should run. Without libfaketime a developer's run skips them
 * loudly; with CI=true they run and fail, as they must not silently vanish from CI.
 */
export const FAKETIME_ENABLED = existsSync(LIBFAKETIME) || IN_CI;

if (!FAKETIME_ENABLED) {
  console.warn(
    `⚠️  Moved-clock (faketime) tests SKIPPED: no libfaketime at ${LIBFAKETIME} (apt-get install faketime, or set EVIDENT_TEST_LIBFAKETIME).`,
  );
}

/** Whole days from `fromMs` to the same instant `months` calendar months later (UTC). */
export function daysUntilMonthsLater(fromMs: number, months: number): number {
  const from = new Date(fromMs);
  const later = Date.UTC(
    from.getUTCFullYear(),
    from.getUTCMonth() + months,
    from.getUTCDate(),
    from.getUTCHours(),
    from.getUTCMinutes(),
  );
  return Math.ceil((later - fromMs) / 86_400_000);
}

/**
 * The environment that starts a process with its clock `days` ahead, still ticking: the
 * wall clock (Date, received_at) moves; the monotonic clock Node's timers run on does not,
 * so timers fire after their real delay.
 */
export function movedClockEnv(days: number): Record<string, string> {
  if (!existsSync(LIBFAKETIME)) {
    throw new Error(
      `CI=true but there is no libfaketime at ${LIBFAKETIME}: install it (apt-get install faketime)`,
    );
  }
  return {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: `+${days}d`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}
