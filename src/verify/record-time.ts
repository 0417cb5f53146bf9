/**
 * Date.parse(value), by hand for the one form stored records use (`YYYY-MM-DDTHH:MM:SS.sssZ`,
 * what validate.ts normalises every time to): Date.parse was most of the cost of checking an
 * entry's columns. Anything else, including dates Date.parse would roll over (Feb 30, 24:00),
 * goes to Date.parse itself, so the result is always exactly Date.parse's.
 */
export function parseRecordTime(value: unknown): number {
  if (typeof value !== 'string' || value.length !== 24) return Date.parse(value as string);
  if (
    value.charCodeAt(4) !== 0x2d || // -
    value.charCodeAt(7) !== 0x2d ||
    value.charCodeAt(10) !== 0x54 || // T
    value.charCodeAt(13) !== 0x3a || // :
    value.charCodeAt(16) !== 0x3a ||
    value.charCodeAt(19) !== 0x2e || // .
    value.charCodeAt(23) !== 0x5a // Z
  ) {
    return Date.parse(value);
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  const millis = digits(value, 20, 3);
  if (
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0
  ) {
    return Date.parse(value);
  }
  return (
    daysSinceEpoch(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millis
  );
}

/** The decimal number in text[at, at + n), or -1 if any of those is not a digit. */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 in the proleptic Gregorian calendar (ECMAScript's), for year ≥ 1970. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // A year that starts in March puts the leap day last (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
