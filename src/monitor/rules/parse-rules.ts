import { ALERT_SEVERITIES } from '../types.js';
import { fieldPathProblem } from './field-path.js';
import { CALENDAR_NAME, readCalendar, readMatch } from './parse-match.js';
import type { RuleProblem } from './problems.js';
import type {
  NewValueSpec,
  RuleFile,
  RuleKind,
  RuleSpec,
  SequenceSpec,
  SequenceStepSpec,
  SuppressSpec,
  ThresholdSpec,
} from './rule-spec.js';
import { readYaml, type YamlValue } from './yaml-value.js';

/** Packs shipped with Evident (src/monitor/packs/). */
export const PACK_NAMES = ['iso27001'] as const;

export const RULE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FILE_KEYS = ['version', 'packs', 'calendars', 'rules'] as const;
const RULE_KEYS = [
  'id',
  'title',
  'description',
  'severity',
  'enabled',
  'match',
  'threshold',
  'sequence',
  'new_value',
  'suppress',
] as const;
const KIND_KEYS = ['threshold', 'sequence', 'new_value'] as const;

// Limits (docs/rules.md): they bound memory per rule and keep one file reviewable.
export const MAX_RULES_PER_FILE = 500;
export const MAX_WINDOW_MS = 30 * 86_400_000;
export const MAX_THRESHOLD_COUNT = 1000;
export const MAX_GROUP_FIELDS = 5;
export const MAX_SEQUENCE_STEPS = 5;
export const MAX_LEARNING_MS = 365 * 86_400_000;
export const MAX_VALUES_PER_GROUP = 10_000;
const WINDOW_TEXT = 'from 1s to 30d';

export type ParseResult = { ok: true; file: RuleFile } | { ok: false; problems: RuleProblem[] };

/**
 * Parses and validates a rule file (YAML or JSON text). Pure: no I/O, no clock. Every
 * problem carries `file:line:col`, a path like `rules[2].threshold.window` and what to fix.
 */
export function parseRules(text: string, file: string): ParseResult {
  const { root, ctx } = readYaml(text, file);
  const out: RuleFile = { file, packs: {}, calendars: {}, rules: [], toggles: [] };
  // Syntax first: the structure of a file that does not parse would only add noise.
  if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };
  // An empty file is a valid empty rule set (the "no rules file" layer).
  if (root.isNull()) return { ok: true, file: out };
  const top = root.entries('a rule file', FILE_KEYS);
  if (top) {
    const version = top.get('version');
    if (version && version.integer('version', 1, 1) === undefined) {
      version.problem('version must be 1 (the only rule language version so far)');
    }
    readPacks(top.get('packs'), out);
    readCalendars(top.get('calendars'), out);
    readRuleList(top.get('rules'), out);
  }
  if (ctx.problems.length === 0) return { ok: true, file: out };
  const problems = [...ctx.problems].sort((a, b) => a.line - b.line || a.col - b.col);
  return { ok: false, problems };
}

function readPacks(v: YamlValue | undefined, out: RuleFile): void {
  if (!v) return;
  for (const [name, value] of v.entries('packs', PACK_NAMES) ?? []) {
    const enabled = value.boolean(`packs.${name}`);
    if (enabled !== undefined) out.packs[name] = { enabled, loc: value.loc() };
  }
}

function readCalendars(v: YamlValue | undefined, out: RuleFile): void {
  if (!v) return;
  for (const [name, value] of v.entries('calendars') ?? []) {
    if (!CALENDAR_NAME.test(name)) {
      value.problem('calendar names are lower-case letters, digits, _ and - (e.g. office)');
      continue;
    }
    const spec = readCalendar(value);
    if (spec) out.calendars[name] = { spec, loc: value.loc() };
  }
}

function readRuleList(v: YamlValue | undefined, out: RuleFile): void {
  if (!v) return;
  const items = v.items('rules') ?? [];
  if (items.length > MAX_RULES_PER_FILE) {
    v.problem(`a file holds at most ${MAX_RULES_PER_FILE} rules`);
    return;
  }
  const seen = new Map<string, string>();
  for (const item of items) {
    const entries = item.entries('a rule', RULE_KEYS);
    if (!entries) continue;
    const idValue = entries.get('id');
    const id = idValue
      ? idValue.string('id', {
          pattern: RULE_ID,
          hint: 'ids are 1–64 lower-case letters, digits, ".", "_" or "-"',
        })
      : item.problem('a rule needs "id"');
    if (id !== undefined) {
      const first = seen.get(id);
      if (first) idValue!.problem(`id "${id}" is used twice (first at ${first})`);
      else seen.set(id, idValue!.where());
    }
    const isToggle = [...entries.keys()].every((k) => k === 'id' || k === 'enabled');
    if (isToggle && entries.has('enabled')) {
      const enabled = entries.get('enabled')!.boolean('enabled');
      if (id !== undefined && enabled !== undefined) {
        out.toggles.push({ id, enabled, loc: item.loc() });
      }
      continue;
    }
    const rule = readRule(item, entries, id);
    if (rule) out.rules.push(rule);
  }
}

function readRule(
  item: YamlValue,
  e: Map<string, YamlValue>,
  id: string | undefined,
): RuleSpec | undefined {
  const title = e.has('title')
    ? e.get('title')!.string('title', { maxLength: 200 })
    : item.problem('a rule needs "title"');
  const description = e.get('description')?.string('description', { maxLength: 4000 });
  const severity = e.has('severity')
    ? e.get('severity')!.oneOf('severity', ALERT_SEVERITIES)
    : item.problem(`a rule needs "severity": one of ${ALERT_SEVERITIES.join(', ')}`);
  const enabled = e.has('enabled') ? e.get('enabled')!.boolean('enabled') : true;

  const kinds = KIND_KEYS.filter((k) => e.has(k));
  if (kinds.length > 1) {
    e.get(kinds[1]!)!.problem(
      `a rule has one of ${KIND_KEYS.join(', ')} (or none, to alert on every match); this one has ${kinds.join(' and ')}`,
    );
    return undefined;
  }
  const kind = (kinds[0] ?? 'match') as RuleKind;
  const matchValue = e.get('match');
  const match = matchValue ? readMatch(matchValue) : undefined;
  if (!matchValue && kind !== 'sequence') {
    item.problem('a rule needs "match": the conditions an entry must meet');
  }

  const threshold = kind === 'threshold' ? readThreshold(e.get('threshold')!) : undefined;
  const sequence = kind === 'sequence' ? readSequence(e.get('sequence')!) : undefined;
  const newValue = kind === 'new_value' ? readNewValue(e.get('new_value')!) : undefined;
  const suppress = e.has('suppress') ? readSuppress(e.get('suppress')!) : undefined;

  const kindOk =
    kind === 'match' ||
    (kind === 'threshold' && threshold) ||
    (kind === 'sequence' && sequence) ||
    (kind === 'new_value' && newValue);
  if (
    id === undefined ||
    title === undefined ||
    severity === undefined ||
    enabled === undefined ||
    (matchValue && !match) ||
    (e.has('description') && description === undefined) ||
    (e.has('suppress') && !suppress) ||
    !kindOk
  ) {
    return undefined;
  }
  return {
    id,
    title,
    ...(description !== undefined ? { description } : {}),
    severity,
    enabled,
    kind,
    ...(match ? { match } : {}),
    ...(threshold ? { threshold } : {}),
    ...(sequence ? { sequence } : {}),
    ...(newValue ? { new_value: newValue } : {}),
    ...(suppress ? { suppress } : {}),
    definition: item.toJS() as Record<string, unknown>,
    loc: item.loc(),
  };
}

function readField(v: YamlValue, what: string): string | undefined {
  const path = v.string(what);
  if (path === undefined) return undefined;
  const problem = fieldPathProblem(path);
  return problem ? v.problem(problem) : path;
}

function readGroupBy(v: YamlValue | undefined, fallback: string[]): string[] | undefined {
  if (!v) return fallback;
  const items = v.isSeq() ? (v.items('group_by') ?? []) : [v];
  if (items.length > MAX_GROUP_FIELDS) {
    return v.problem(`group_by takes at most ${MAX_GROUP_FIELDS} fields`);
  }
  const fields = items.map((item) => readField(item, 'a group_by field'));
  return fields.every((f) => f !== undefined) ? (fields as string[]) : undefined;
}

function readThreshold(v: YamlValue): ThresholdSpec | undefined {
  const e = v.entries(
    'threshold',
    ['count', 'distinct', 'window', 'group_by'],
    ['count', 'window'],
  );
  if (!e) return undefined;
  const count = e.get('count')?.integer('count', 1, MAX_THRESHOLD_COUNT);
  const distinct = e.has('distinct') ? readField(e.get('distinct')!, 'distinct') : undefined;
  const windowMs = e.get('window')?.duration('window', 1000, MAX_WINDOW_MS, WINDOW_TEXT);
  const groupBy = readGroupBy(e.get('group_by'), []);
  if (count === undefined || windowMs === undefined || groupBy === undefined) return undefined;
  if (e.has('distinct') && distinct === undefined) return undefined;
  return {
    count,
    ...(distinct !== undefined ? { distinct } : {}),
    window_ms: windowMs,
    group_by: groupBy,
  };
}

function readSequence(v: YamlValue): SequenceSpec | undefined {
  const e = v.entries('sequence', ['window', 'group_by', 'steps'], ['window', 'steps']);
  if (!e) return undefined;
  const windowMs = e.get('window')?.duration('window', 1000, MAX_WINDOW_MS, WINDOW_TEXT);
  const groupBy = readGroupBy(e.get('group_by'), ['actor.id']);
  const stepValues = e.get('steps')?.items('steps');
  if (!stepValues) return undefined;
  if (stepValues.length < 2 || stepValues.length > MAX_SEQUENCE_STEPS) {
    e.get('steps')!.problem(`a sequence has 2 to ${MAX_SEQUENCE_STEPS} steps`);
    return undefined;
  }
  const steps: (SequenceStepSpec | undefined)[] = stepValues.map((s, i) => {
    const se = s.entries('a step', ['match', 'group_by', 'count'], ['match']);
    if (!se) return undefined;
    const match = se.get('match') ? readMatch(se.get('match')!) : undefined;
    const stepGroup = readGroupBy(se.get('group_by'), groupBy ?? []);
    if (groupBy && stepGroup && stepGroup.length !== groupBy.length) {
      se.get('group_by')!.problem(
        `a step's group_by pairs with the sequence's group_by (${groupBy.join(', ')}): give ${groupBy.length} field(s)`,
      );
      return undefined;
    }
    let count = 1;
    if (se.has('count')) {
      if (i > 0) {
        se.get('count')!.problem(
          'only the first step takes a count (e.g. 3 failures, then a success)',
        );
        return undefined;
      }
      const c = se.get('count')!.integer('count', 1, MAX_THRESHOLD_COUNT);
      if (c === undefined) return undefined;
      count = c;
    }
    return match && stepGroup ? { match, group_by: stepGroup, count } : undefined;
  });
  if (windowMs === undefined || groupBy === undefined || steps.some((s) => s === undefined)) {
    return undefined;
  }
  return { window_ms: windowMs, group_by: groupBy, steps: steps as SequenceStepSpec[] };
}

function readNewValue(v: YamlValue): NewValueSpec | undefined {
  const e = v.entries(
    'new_value',
    ['field', 'network', 'group_by', 'learning', 'max_values'],
    ['field'],
  );
  if (!e) return undefined;
  const field = e.get('field') ? readField(e.get('field')!, 'field') : undefined;
  const network = e.has('network') ? e.get('network')!.boolean('network') : false;
  const groupBy = readGroupBy(e.get('group_by'), []);
  const learningMs = e.has('learning')
    ? e.get('learning')!.duration('learning', 0, MAX_LEARNING_MS, 'from 0s to 365d')
    : 7 * 86_400_000;
  const maxValues = e.has('max_values')
    ? e.get('max_values')!.integer('max_values', 1, MAX_VALUES_PER_GROUP)
    : 1000;
  if (
    field === undefined ||
    network === undefined ||
    groupBy === undefined ||
    learningMs === undefined ||
    maxValues === undefined
  ) {
    return undefined;
  }
  return { field, network, group_by: groupBy, learning_ms: learningMs, max_values: maxValues };
}

function readSuppress(v: YamlValue): SuppressSpec | undefined {
  if (!v.isMap()) {
    const windowMs = v.duration('suppress', 1000, MAX_WINDOW_MS, WINDOW_TEXT);
    return windowMs === undefined ? undefined : { window_ms: windowMs };
  }
  const e = v.entries('suppress', ['window', 'group_by'], ['window']);
  if (!e) return undefined;
  const windowMs = e.get('window')?.duration('window', 1000, MAX_WINDOW_MS, WINDOW_TEXT);
  const groupBy = e.has('group_by') ? readGroupBy(e.get('group_by'), []) : undefined;
  if (windowMs === undefined || (e.has('group_by') && groupBy === undefined)) return undefined;
  return { window_ms: windowMs, ...(groupBy ? { group_by: groupBy } : {}) };
}
