/**
 * A date alone (`2026-12-03`) as an instant in a time zone: the first millisecond of that
 * day there (`start`) or its last (`end`), as RFC 3339 UTC text. Other text is returned
 * unchanged (the server checks it). Throws naming the option when the zone is unknown.
 */
export function zonedDayBound(
  text: string,
  zone: string,
  edge: 'start' | 'end',
  option: string,
): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!day) return text;
  const [y, m, d] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
  const start = midnightIn(zone, y, m, d, option);
  if (edge === 'start') return new Date(start).toISOString();
  return new Date(midnightIn(zone, y, m, d + 1, option) - 1).toISOString();
}

/** UTC ms of 00:00 local time on y-m-d in `zone` (DST-safe: the offset is re-read there). */
function midnightIn(zone: string, y: number, m: number, d: number, option: string): number {
  const guess = Date.UTC(y, m, d);
  let at = guess - offsetMs(zone, guess, option);
  at = guess - offsetMs(zone, at, option);
  return at;
}

/** How far `zone` is ahead of UTC at `ms`. */
function offsetMs(zone: string, ms: number, option: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(ms);
  } catch {
    throw new Error(
      `${option}: unknown time zone "${zone}"; use an IANA name such as Europe/Berlin or UTC`,
    );
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(ms / 1000) * 1000;
}
