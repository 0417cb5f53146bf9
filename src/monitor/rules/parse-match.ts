import { CATEGORIES, OUTCOMES, SENSITIVITIES, SEVERITIES } from '../../core/record/types.js';
import { didYouMean } from './did-you-mean.js';
import { fieldPathProblem } from './field-path.js';
import { parseClockTime, timeZoneProblem, WEEKDAYS, type Weekday } from './local-time.js';
import { regexProblem } from './regex-guard.js';
import type { CalendarSpec, FieldTest, MatchSpec, Scalar, TimeOfDaySpec } from './rule-spec.js';
import type { YamlValue } from './yaml-value.js';

const MATCH_KEYWORDS = ['any', 'not', 'time_of_day', 'off_hours'] as const;
const FIELD_OPERATORS = [
  'equals',
  'in',
  'prefix',
  'suffix',
  'regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
] as const;
const CALENDAR_KEYS = ['time_zone', 'days', 'hours', 'holidays'] as const;
const TIME_OF_DAY_KEYS = ['from', 'to', 'time_zone', 'days'] as const;
const MAX_LIST = 500;
const MAX_ANY = 32;
const MAX_NESTING = 6;
export const CALENDAR_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** Fields with a closed set of values: a typo there would match nothing, so it is refused. */
const ENUM_FIELDS: Readonly<Record<string, readonly string[]>> = {
  outcome: OUTCOMES,
  category: CATEGORIES,
  severity: SEVERITIES,
  'target.sensitivity': SENSITIVITIES,
};

/** Reads a `match:` block: field conditions plus `any`, `not`, `time_of_day`, `off_hours`. */
export function readMatch(value: YamlValue, depth = 0): MatchSpec | undefined {
  if (depth > MAX_NESTING) return value.problem(`match blocks nest deeper than ${MAX_NESTING}`);
  const entries = value.entries('match');
  if (!entries) return undefined;
  if (entries.size === 0) {
    return value.problem('match needs at least one condition, e.g. action: session.sign_in');
  }
  const spec: MatchSpec = { fields: [] };
  let ok = true;
  for (const [key, v] of entries) {
    switch (key) {
      case 'any': {
        const branches = v.items('any') ?? [];
        if (branches.length === 0 || branches.length > MAX_ANY) {
          v.problem(`any needs 1 to ${MAX_ANY} match blocks`);
          ok = false;
          break;
        }
        const read = branches.map((b) => readMatch(b, depth + 1));
        if (read.every((b) => b !== undefined)) spec.any = read as MatchSpec[];
        else ok = false;
        break;
      }
      case 'not': {
        const inner = readMatch(v, depth + 1);
        if (inner) spec.not = inner;
        else ok = false;
        break;
      }
      case 'time_of_day': {
        const t = readTimeOfDay(v);
        if (t) spec.time_of_day = t;
        else ok = false;
        break;
      }
      case 'off_hours': {
        if (v.isMap()) {
          const c = readCalendar(v);
          if (c) spec.off_hours = c;
          else ok = false;
        } else {
          const name = v.string('off_hours (a calendar name or an inline calendar)', {
            pattern: CALENDAR_NAME,
            hint: 'calendar names are lower-case letters, digits, _ and -',
          });
          if (name) spec.off_hours = { calendar: name, loc: v.loc() };
          else ok = false;
        }
        break;
      }
      default: {
        const problem = fieldPathProblem(key);
        if (problem) {
          const hint = key.includes('.') ? '' : didYouMean(key, MATCH_KEYWORDS);
          v.problem(`${problem}${hint ? `; or a match keyword${hint}` : ''}`);
          ok = false;
          break;
        }
        const test = readFieldTest(v, key);
        if (test) spec.fields.push({ path: key, test });
        else ok = false;
      }
    }
  }
  return ok ? spec : undefined;
}

function readFieldTest(v: YamlValue, path: string): FieldTest | undefined {
  const allowed = ENUM_FIELDS[path];
  if (v.isNull()) {
    return v.problem('a condition needs a value; to require a missing field write exists: false');
  }
  if (v.isSeq()) {
    const list = readScalars(v, 'a list of values', allowed);
    return list && { in: list };
  }
  if (!v.isMap()) {
    const one = readScalar(v, 'the value', allowed);
    return one === undefined ? undefined : { equals: one };
  }
  const ops = v.entries(`the condition on ${path}`, FIELD_OPERATORS);
  if (!ops) return undefined;
  if (ops.size === 0) {
    return v.problem(`the condition on ${path} needs an operator: ${FIELD_OPERATORS.join(', ')}`);
  }
  const test: FieldTest = {};
  let ok = true;
  const keep = <K extends keyof FieldTest>(key: K, value: FieldTest[K] | undefined) => {
    if (value === undefined) ok = false;
    else test[key] = value;
  };
  for (const [op, arg] of ops) {
    switch (op) {
      case 'equals':
        keep('equals', readScalar(arg, 'equals', allowed));
        break;
      case 'in':
        keep('in', readScalars(arg, 'in', allowed));
        break;
      case 'prefix':
        keep('prefix', arg.strings('prefix', MAX_LIST));
        break;
      case 'suffix':
        keep('suffix', arg.strings('suffix', MAX_LIST));
        break;
      case 'regex': {
        const pattern = arg.string('regex');
        const problem = pattern === undefined ? undefined : regexProblem(pattern);
        keep('regex', problem ? arg.problem(problem) : pattern);
        break;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        keep(op, arg.number(op));
        break;
      case 'exists':
        keep('exists', arg.boolean('exists'));
        break;
    }
  }
  return ok ? test : undefined;
}

function readScalar(
  v: YamlValue,
  what: string,
  allowed: readonly string[] | undefined,
): Scalar | undefined {
  const s = v.scalar();
  if (typeof s !== 'string' && typeof s !== 'number' && typeof s !== 'boolean') {
    return v.problem(`${what} must be text, a number or true/false`);
  }
  if (allowed && (typeof s !== 'string' || !allowed.includes(s))) {
    return v.oneOf(what, allowed);
  }
  return s;
}

function readScalars(
  v: YamlValue,
  what: string,
  allowed: readonly string[] | undefined,
): Scalar[] | undefined {
  const items = v.items(what);
  if (!items) return undefined;
  if (items.length === 0 || items.length > MAX_LIST) {
    return v.problem(`${what} needs 1 to ${MAX_LIST} values`);
  }
  const out = items.map((item) => readScalar(item, 'each value', allowed));
  return out.every((x) => x !== undefined) ? (out as Scalar[]) : undefined;
}

function readTimeZone(v: YamlValue | undefined): string | undefined {
  if (!v) return 'UTC';
  const zone = v.string('time_zone');
  if (zone === undefined) return undefined;
  const problem = timeZoneProblem(zone);
  return problem ? v.problem(problem) : zone;
}

function readDays(v: YamlValue): Weekday[] | undefined {
  const items = v.items('days') ?? [];
  if (items.length === 0) return v.problem(`days needs at least one of ${WEEKDAYS.join(', ')}`);
  const days = items.map((d) => d.oneOf('a day', WEEKDAYS));
  return days.every((d) => d !== undefined) ? [...new Set(days as Weekday[])] : undefined;
}

function readClock(v: YamlValue | undefined, what: string, endOfDay: boolean): number | undefined {
  if (!v) return undefined;
  const text = v.scalar();
  const minute = typeof text === 'string' ? parseClockTime(text, endOfDay) : undefined;
  return (
    minute ?? v.problem(`${what} must be a time like "08:00"${endOfDay ? ' (or "24:00")' : ''}`)
  );
}

/** `{ time_zone, days, hours: "08:00-18:00", holidays: [2026-12-25] }`: working time. */
export function readCalendar(v: YamlValue): CalendarSpec | undefined {
  const e = v.entries('a calendar', CALENDAR_KEYS, ['hours']);
  if (!e) return undefined;
  const timeZone = readTimeZone(e.get('time_zone'));
  const days = e.has('days')
    ? readDays(e.get('days')!)
    : (['mon', 'tue', 'wed', 'thu', 'fri'] as Weekday[]);
  let from: number | undefined;
  let to: number | undefined;
  const hours = e.get('hours');
  if (hours) {
    const text = hours.scalar();
    const m = typeof text === 'string' ? /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text) : null;
    from = m ? parseClockTime(m[1]!, false) : undefined;
    to = m ? parseClockTime(m[2]!, true) : undefined;
    if (from === undefined || to === undefined || from >= to) {
      from = undefined;
      hours.problem('hours must look like "08:00-18:00" (start before end, local time)');
    }
  }
  const holidays: string[] = [];
  let holidaysOk = true;
  for (const h of e.get('holidays')?.items('holidays') ?? []) {
    const date = h.string('a holiday', {
      pattern: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
      hint: 'write local dates as YYYY-MM-DD',
    });
    if (date === undefined) holidaysOk = false;
    else holidays.push(date);
  }
  if (timeZone === undefined || days === undefined || from === undefined || to === undefined) {
    return undefined;
  }
  if (!holidaysOk) return undefined;
  return { time_zone: timeZone, days, from_minute: from, to_minute: to, holidays };
}

/** `{ from: "22:00", to: "06:00", time_zone, days }`: wraps past midnight when from > to. */
function readTimeOfDay(v: YamlValue): TimeOfDaySpec | undefined {
  const e = v.entries('time_of_day', TIME_OF_DAY_KEYS, ['from', 'to']);
  if (!e) return undefined;
  const from = readClock(e.get('from'), 'from', false);
  const to = readClock(e.get('to'), 'to', true);
  const timeZone = readTimeZone(e.get('time_zone'));
  const days = e.has('days') ? readDays(e.get('days')!) : undefined;
  if (from === undefined || to === undefined || timeZone === undefined) return undefined;
  if (e.has('days') && days === undefined) return undefined;
  if (from === to) return e.get('to')!.problem('from and to are equal; the range would be empty');
  return {
    time_zone: timeZone,
    from_minute: from,
    to_minute: to,
    ...(days ? { days } : {}),
  };
}
