import {
  localTime,
  parseClockTime,
  timeZoneProblem,
  WEEKDAYS,
} from '../../monitor/rules/local-time.js';

/**
 * When changes are allowed: these weekdays, from `fromMinute` to `toMinute`, local time.
 * A window whose `toMinute` is not after its `fromMinute` runs past midnight (22:00 to
 * 06:00) and belongs to the day it starts on, as maintenance windows are usually named:
 * `days: [fri]` allows Friday 22:00 to Saturday 06:00.
 */
export interface ChangeWindow {
  timeZone: string;
  /** 0 = Monday … 6 = Sunday. */
  days: number[];
  /** Minutes since local midnight: the window includes `fromMinute`, excludes `toMinute`. */
  fromMinute: number;
  toMinute: number;
}

/**
 * Whether the instant falls inside the window, by the zone's wall clock. Daylight saving is
 * followed by reading the wall clock, so a window spanning a change is as long as its wall
 * clock says (22:00–06:00 lasts 7 hours the night the clocks go forward, 9 when they go
 * back), and a `to` inside the skipped hour ends the window when the clock jumps past it.
 */
export function insideWindow(w: ChangeWindow, atMs: number): boolean {
  const t = localTime(w.timeZone, atMs);
  if (w.fromMinute < w.toMinute)
    return w.days.includes(t.weekday) && t.minute >= w.fromMinute && t.minute < w.toMinute;
  // Past midnight: the evening part on a listed day, the morning part the day after one.
  if (t.minute >= w.fromMinute) return w.days.includes(t.weekday);
  return t.minute < w.toMinute && w.days.includes((t.weekday + 6) % 7);
}

const KEYS = new Set(['time_zone', 'days', 'from', 'to']);

/** `{ time_zone, days, from: "08:00", to: "18:00" }`; `where` names the rule for errors. */
export function parseChangeWindow(value: unknown, where: string): ChangeWindow {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where}: expected a mapping with time_zone, days, from and to`);
  const w = value as Record<string, unknown>;
  for (const k of Object.keys(w))
    if (!KEYS.has(k))
      throw new Error(`${where}: unknown key ${k} (known: ${[...KEYS].join(', ')})`);
  const zone = w.time_zone;
  if (typeof zone !== 'string' || zone === '')
    throw new Error(`${where}.time_zone: needs an IANA time zone, e.g. Europe/Berlin or UTC`);
  const problem = timeZoneProblem(zone);
  if (problem) throw new Error(`${where}.time_zone: ${problem}`);
  const days = w.days;
  if (!Array.isArray(days) || days.length === 0)
    throw new Error(`${where}.days: needs a non-empty list of ${WEEKDAYS.join(', ')}`);
  const indexes = days.map((d) => {
    const i = typeof d === 'string' ? WEEKDAYS.indexOf(d.toLowerCase() as never) : -1;
    if (i < 0) throw new Error(`${where}.days: ${String(d)} is not one of ${WEEKDAYS.join(', ')}`);
    return i;
  });
  const fromMinute = clock(w.from, `${where}.from`, false);
  const toMinute = clock(w.to, `${where}.to`, true);
  // Equal ends would be either an empty window or a whole day: say which to write instead.
  if (fromMinute === toMinute)
    throw new Error(
      `${where}: from and to must differ (a whole day is from "00:00" to "24:00"; a window past midnight has to before from, e.g. from "22:00" to "06:00")`,
    );
  return { timeZone: zone, days: [...new Set(indexes)], fromMinute, toMinute };
}

function clock(value: unknown, where: string, endOfDay: boolean): number {
  const minute = typeof value === 'string' ? parseClockTime(value, endOfDay) : undefined;
  if (minute === undefined)
    throw new Error(`${where}: must be a time like "08:00"${endOfDay ? ' (or "24:00")' : ''}`);
  return minute;
}
