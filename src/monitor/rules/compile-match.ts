import { judgedAtMs } from '../engine/event-time.js';
import type { ObservedEntry } from '../types.js';
import { fieldGetter } from './field-path.js';
import { localTime } from './local-time.js';
import type { CalendarSpec, FieldTest, MatchSpec, TimeOfDaySpec } from './rule-spec.js';

export type Predicate = (entry: ObservedEntry) => boolean;

const ALWAYS: Predicate = () => true;

/**
 * Turns a match block into one predicate. Field tests run first (cheap), calendars last
 * (a time-zone conversion). Calendar references must already be resolved (`resolved`).
 * Time conditions read `received_at`: server time is authoritative and
 * a source's clock cannot move an event out of off-hours.
 */
export function compileMatch(spec: MatchSpec | undefined): Predicate {
  if (!spec) return ALWAYS;
  const parts: Predicate[] = spec.fields.map((f) => compileField(f.path, f.test));
  if (spec.any) {
    const branches = spec.any.map(compileMatch);
    parts.push((e) => branches.some((b) => b(e)));
  }
  if (spec.not) {
    const inner = compileMatch(spec.not);
    parts.push((e) => !inner(e));
  }
  if (spec.time_of_day) parts.push(compileTimeOfDay(spec.time_of_day));
  if (spec.off_hours) {
    if (!('time_zone' in spec.off_hours)) {
      throw new Error(`calendar "${spec.off_hours.calendar}" was not resolved`);
    }
    const calendar = spec.off_hours;
    parts.push((e) => !isWorkingTime(calendar, judgedAtMs(e)));
  }
  if (parts.length === 1) return parts[0]!;
  return (e) => {
    for (const p of parts) if (!p(e)) return false;
    return true;
  };
}

/** Fields most rules test and few values take: rules are pre-selected by them (Evaluator). */
export const GATE_FIELDS = ['source', 'action', 'outcome'] as const;

/**
 * The part of a match that reads only GATE_FIELDS (undefined when there is none): a
 * necessary condition the evaluator tests once per distinct (source, action, outcome)
 * instead of once per entry.
 */
export function compileGate(spec: MatchSpec | undefined): Predicate | undefined {
  const fields = spec?.fields.filter((f) => (GATE_FIELDS as readonly string[]).includes(f.path));
  if (!fields || fields.length === 0) return undefined;
  return compileMatch({ fields });
}

function compileField(path: string, test: FieldTest): Predicate {
  const get = fieldGetter(path);
  const checks: ((v: unknown) => boolean)[] = [];
  if (test.equals !== undefined) {
    const want = test.equals;
    checks.push((v) => v === want);
  }
  if (test.in !== undefined) {
    const set = new Set<unknown>(test.in);
    checks.push((v) => set.has(v));
  }
  if (test.prefix !== undefined) {
    const prefixes = test.prefix;
    checks.push((v) => typeof v === 'string' && prefixes.some((p) => v.startsWith(p)));
  }
  if (test.suffix !== undefined) {
    const suffixes = test.suffix;
    checks.push((v) => typeof v === 'string' && suffixes.some((s) => v.endsWith(s)));
  }
  if (test.regex !== undefined) {
    const re = new RegExp(test.regex, 'u');
    checks.push((v) => typeof v === 'string' && re.test(v));
  }
  const num = (cmp: (v: number) => boolean) => (v: unknown) => typeof v === 'number' && cmp(v);
  if (test.gt !== undefined) {
    const n = test.gt;
    checks.push(num((v) => v > n));
  }
  if (test.gte !== undefined) {
    const n = test.gte;
    checks.push(num((v) => v >= n));
  }
  if (test.lt !== undefined) {
    const n = test.lt;
    checks.push(num((v) => v < n));
  }
  if (test.lte !== undefined) {
    const n = test.lte;
    checks.push(num((v) => v <= n));
  }
  if (test.exists !== undefined) {
    const want = test.exists;
    checks.push((v) => (v !== undefined && v !== null) === want);
  }
  if (checks.length === 1) {
    const only = checks[0]!;
    return (e) => only(get(e.record));
  }
  return (e) => {
    const v = get(e.record);
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

const DAY_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;

function compileTimeOfDay(spec: TimeOfDaySpec): Predicate {
  const days = spec.days ? new Set<number>(spec.days.map((d) => DAY_INDEX[d])) : undefined;
  const { from_minute: from, to_minute: to, time_zone: zone } = spec;
  return (e) => {
    const local = localTime(zone, judgedAtMs(e));
    if (days && !days.has(local.weekday)) return false;
    const m = local.minute;
    return from < to ? m >= from && m < to : m >= from || m < to;
  };
}

/** True inside working time: a working day, not a holiday, within the working hours. */
export function isWorkingTime(calendar: CalendarSpec, ms: number): boolean {
  const local = localTime(calendar.time_zone, ms);
  if (!calendar.days.some((d) => DAY_INDEX[d] === local.weekday)) return false;
  if (calendar.holidays.includes(local.date)) return false;
  return local.minute >= calendar.from_minute && local.minute < calendar.to_minute;
}
