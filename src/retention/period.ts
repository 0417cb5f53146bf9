/**
 * Retention periods: whole days or whole months, written as ISO 8601 durations (P90D, P12M).
 * Pure, so the server, the CLI and the verifier measure them alike.
 */
export interface Period {
  amount: number;
  unit: 'days' | 'months';
}

/** Beyond a thousand years nobody means it; it also keeps Date arithmetic in range. */
const MAX_DAYS = 366_000;
const MAX_MONTHS = 12_000;
const DAY_MS = 86_400_000;

export function parsePeriod(text: string): Period | undefined {
  const m = /^P([1-9][0-9]{0,5})([DM])$/.exec(text);
  if (!m) return undefined;
  const amount = Number(m[1]);
  const unit = m[2] === 'D' ? 'days' : 'months';
  if (amount > (unit === 'days' ? MAX_DAYS : MAX_MONTHS)) return undefined;
  return { amount, unit };
}

export function formatPeriod(period: Period): string {
  return `P${period.amount}${period.unit === 'days' ? 'D' : 'M'}`;
}

/**
 * The instant `period` before `nowMs`: an entry received before it is older than the period.
 * Months are calendar months in UTC; a day that does not exist in the earlier month (31 March
 * minus one month) becomes that month's last day.
 */
export function periodStart(nowMs: number, period: Period): number {
  if (period.unit === 'days') return nowMs - period.amount * DAY_MS;
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - period.amount;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(now.getUTCDate(), lastDay),
    now.getUTCHours(),
    now.getUTCMinutes(),
    now.getUTCSeconds(),
    now.getUTCMilliseconds(),
  );
}

/**
 * Whether `next` may be shorter than `previous`. Same unit: the amounts decide. Mixed units
 * are judged cautiously (a month counts 28 days in `next`, 31 in `previous`), so a change
 * that might shorten is treated as one.
 */
export function mayBeShorter(next: Period, previous: Period): boolean {
  if (next.unit === previous.unit) return next.amount < previous.amount;
  const low = next.unit === 'months' ? next.amount * 28 : next.amount;
  const high = previous.unit === 'months' ? previous.amount * 31 : previous.amount;
  return low < high;
}
