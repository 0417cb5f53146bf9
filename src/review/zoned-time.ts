/** A calendar date in some time zone; `month` 0–11, `weekday` 0 (Sunday)–6. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of the instant `ms` in `zone`. */
function wallClock(zone: string, ms: number): number[] {
  const parts = formatter(zone).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')];
}

/** The date `ms` falls on in `zone`. */
export function localDate(zone: string, ms: number): LocalDate {
  const [year, month, day] = wallClock(zone, ms) as [number, number, number];
  return { year, month, day, weekday: new Date(Date.UTC(year, month, day)).getUTCDay() };
}

/** How far `zone` is ahead of UTC at `ms` (whole seconds; zone offsets have no milliseconds). */
function offsetMs(zone: string, ms: number): number {
  const [y, mo, d, h, mi, s] = wallClock(zone, ms) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant of the local date y-m-d in `zone` (month and day may overflow: Date.UTC
 * normalises them, so day 32 is the next month's first). Usually local midnight; where a DST
 * change skips midnight (America/Santiago, Asia/Beirut) it is the first instant that exists
 * on that date, so consecutive days never overlap or leave a gap.
 */
export function startOfLocalDay(zone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month, day);
  const wanted = new Date(wall);
  let at = wall - offsetMs(zone, wall);
  at = wall - offsetMs(zone, at);
  // A skipped midnight resolves to the previous evening (or past the skipped hour): step to
  // the first whole hour that is on the wanted date, then back while the date still holds.
  const onWanted = (ms: number) => {
    const d = localDate(zone, ms);
    return (
      d.year === wanted.getUTCFullYear() &&
      d.month === wanted.getUTCMonth() &&
      d.day === wanted.getUTCDate()
    );
  };
  for (let i = 0; i < 48 && !onWanted(at); i++) at += 30 * 60_000;
  while (onWanted(at - 30 * 60_000)) at -= 30 * 60_000;
  return at;
}
