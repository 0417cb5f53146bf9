/** The audit period of a pack: [fromMs, toMs) in server time (received_at). */
export interface PackPeriod {
  fromMs: number;
  toMs: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--from` and `--to` as an audit period. A date alone is a UTC day and both ends include
 * their whole day (`--from 2026-01-01 --to 2026-03-31` is the first quarter); an RFC 3339
 * time is an instant, `--to` then exclusive.
 */
export function parsePackPeriod(
  from: string,
  to: string,
  names: [string, string] = ['--from', '--to'],
): PackPeriod {
  const [fromName, toName] = names;
  const fromMs = instant(from, fromName);
  const toMs = DAY.test(to) ? instant(to, toName) + 86_400_000 : instant(to, toName);
  if (toMs <= fromMs) throw new Error(`${toName} must be after ${fromName}`);
  return { fromMs, toMs };
}

function instant(text: string, option: string): number {
  const ms = DAY.test(text)
    ? Date.parse(`${text}T00:00:00.000Z`)
    : RFC3339.test(text)
      ? Date.parse(text)
      : Number.NaN;
  // Date.parse rolls 2026-02-30 over into March: a day must read back as itself.
  if (DAY.test(text) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) !== text)
    throw new Error(`${option}: there is no day ${text}`);
  if (Number.isNaN(ms))
    throw new Error(
      `${option} must be a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00:00Z), not "${text}"`,
    );
  return ms;
}
