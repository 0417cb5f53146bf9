import { didYouMean } from './did-you-mean.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Wall-clock facts of one instant in one time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` in that zone (holidays are local dates). */
  date: string;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minute: number;
}

const WEEKDAY_INDEX: Record<string, number> = {
  Mon: 0,
  Tue: 1,
  Wed: 2,
  Thu: 3,
  Fri: 4,
  Sat: 5,
  Sun: 6,
};

/**
 * Converts instants to local wall-clock time with the IANA database behind Intl, so DST
 * and zone rule changes follow the platform's tz data. Offsets change at most on minute
 * boundaries, so one formatted result serves every instant of the same UTC minute.
 */
class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private cachedMinute = Number.NaN;
  private cached: LocalTime = { date: '', weekday: 0, minute: 0 };

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  at(ms: number): LocalTime {
    const utcMinute = Math.floor(ms / 60_000);
    if (utcMinute === this.cachedMinute) return this.cached;
    const parts: Record<string, string> = {};
    for (const p of this.format.formatToParts(ms)) parts[p.type] = p.value;
    this.cached = {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      weekday: WEEKDAY_INDEX[parts.weekday!] ?? 0,
      minute: Number(parts.hour) * 60 + Number(parts.minute),
    };
    this.cachedMinute = utcMinute;
    return this.cached;
  }
}

const zones = new Map<string, ZoneClock>();

export function localTime(timeZone: string, ms: number): LocalTime {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = new ZoneClock(timeZone);
    zones.set(timeZone, zone);
  }
  return zone.at(ms);
}

/** Why `timeZone` is not an IANA zone Intl knows, or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    const known = Intl.supportedValuesOf('timeZone');
    return `"${timeZone}" is not an IANA time zone${didYouMean(timeZone, known)}; e.g. UTC, Europe/Berlin, America/New_York`;
  }
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `08:30` → 510; `24:00` → 1440 when `allowEndOfDay`. */
export function parseClockTime(text: string, allowEndOfDay: boolean): number | undefined {
  if (allowEndOfDay && text === '24:00') return 1440;
  const m = HH_MM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}
