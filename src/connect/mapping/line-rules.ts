import { parse as parseYaml } from 'yaml';
import { CATEGORIES, OUTCOMES, SEVERITIES } from '../../core/record/types.js';
import { regexProblem } from '../../monitor/rules/regex-guard.js';
import type { LineMapper, LogLine, MappedFields } from '../log-line.js';
import { FACILITY_NAMES } from '../syslog/message.js';

/** A mapping rules file is wrong; the message names the rule and the field. */
export class LineRulesError extends Error {
  override readonly name = 'LineRulesError';
}

const RULE_KEYS = ['name', 'when', 'record'];
const WHEN_KEYS = ['app', 'host', 'facility', 'msgid', 'message'];
const RECORD_KEYS = ['action', 'outcome', 'actor', 'target', 'category', 'severity', 'reason'];
const TEMPLATE = /\$\{([A-Za-z0-9_.-]+)\}/g;

interface CompiledRule {
  name: string;
  app?: string;
  host?: string;
  facility?: number;
  msgid?: string;
  message?: RegExp;
  record: Record<string, unknown>;
}

/**
 * Mapping rules (YAML, docs/connect.md): each rule matches lines by app, host, facility,
 * msgid and a message regex, and fills record fields from templates: `${group}` names a
 * regex group; `${host}`, `${app}`, `${procid}`, `${msgid}` the line's fields; `${sd.ID.PARAM}`
 * an RFC 5424 structured-data value. The first rule that matches wins; a field whose
 * template comes out empty is left out.
 */
export function parseLineRules(text: string, fileName: string): LineMapper {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new LineRulesError(`${fileName}: not valid YAML: ${(error as Error).message}`);
  }
  const list = isObject(doc) ? doc.rules : undefined;
  if (!Array.isArray(list))
    throw new LineRulesError(`${fileName}: expected "rules:" with a list of rules`);
  const rules = list.map((raw, i) => compileRule(raw, `${fileName}: rules[${i}]`));
  return (line) => {
    for (const rule of rules) {
      const fields = applyRule(rule, line);
      if (fields) return fields;
    }
    return undefined;
  };
}

function compileRule(raw: unknown, where: string): CompiledRule {
  if (!isObject(raw))
    throw new LineRulesError(`${where}: a rule is a mapping with name, when, record`);
  unknownKeys(raw, RULE_KEYS, where);
  const name = typeof raw.name === 'string' && raw.name ? raw.name : where;
  const when = raw.when ?? {};
  if (!isObject(when)) throw new LineRulesError(`${where}.when: must be a mapping`);
  unknownKeys(when, WHEN_KEYS, `${where}.when`);
  const rule: CompiledRule = { name, record: {} };
  for (const key of ['app', 'host', 'msgid'] as const) {
    const v = when[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new LineRulesError(`${where}.when.${key}: must be a string`);
    rule[key] = v;
  }
  if (when.facility !== undefined) {
    const f = FACILITY_NAMES.indexOf(when.facility as (typeof FACILITY_NAMES)[number]);
    if (f < 0)
      throw new LineRulesError(`${where}.when.facility: one of ${FACILITY_NAMES.join(', ')}`);
    rule.facility = f;
  }
  if (when.message !== undefined) {
    if (typeof when.message !== 'string')
      throw new LineRulesError(`${where}.when.message: must be a regex string`);
    const problem = regexProblem(when.message);
    if (problem) throw new LineRulesError(`${where}.when.message: ${problem}`);
    rule.message = new RegExp(when.message, 'u');
  }
  const record = raw.record;
  if (!isObject(record))
    throw new LineRulesError(`${where}.record: must be a mapping with at least action`);
  unknownKeys(record, RECORD_KEYS, `${where}.record`);
  if (typeof record.action !== 'string')
    throw new LineRulesError(`${where}.record.action: required, e.g. "app.login"`);
  checkFixed(record.outcome, OUTCOMES, `${where}.record.outcome`);
  checkFixed(record.category, CATEGORIES, `${where}.record.category`);
  checkFixed(record.severity, SEVERITIES, `${where}.record.severity`);
  rule.record = record;
  return rule;
}

function applyRule(rule: CompiledRule, line: LogLine): MappedFields | undefined {
  if (rule.app !== undefined && rule.app !== line.appName) return undefined;
  if (rule.host !== undefined && rule.host !== line.hostname) return undefined;
  if (rule.msgid !== undefined && rule.msgid !== line.msgId) return undefined;
  if (rule.facility !== undefined && rule.facility !== line.facility) return undefined;
  let groups: Record<string, string | undefined> = {};
  if (rule.message) {
    const m = rule.message.exec(line.message);
    if (!m) return undefined;
    groups = m.groups ?? {};
  }
  const lookup = (name: string): string | undefined => {
    if (name in groups) return groups[name];
    if (name === 'host') return line.hostname;
    if (name === 'app') return line.appName;
    if (name === 'procid') return line.procId;
    if (name === 'msgid') return line.msgId;
    if (name.startsWith('sd.')) {
      const [, id, param] = name.split('.');
      return id && param ? line.structuredData?.[id]?.[param] : undefined;
    }
    return undefined;
  };
  const filled = fill(rule.record, lookup) as Record<string, unknown>;
  return {
    outcome: 'unknown',
    actor: { id: line.appName ?? 'unknown', type: 'process' },
    ...filled,
    details: { rule: rule.name },
  } as unknown as MappedFields;
}

/** Substitutes templates in strings, drops fields that come out empty. */
function fill(value: unknown, lookup: (name: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    const out = value.replace(TEMPLATE, (_, name: string) => lookup(name) ?? '');
    return out === '' ? undefined : out;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const f = fill(v, lookup);
      if (f !== undefined) out[k] = f;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

function checkFixed(value: unknown, allowed: readonly string[], where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || (!allowed.includes(value) && !value.includes('${')))
    throw new LineRulesError(`${where}: one of ${allowed.join(', ')}`);
}

function unknownKeys(value: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw new LineRulesError(`${where}: unknown key "${key}"; expected ${known.join(', ')}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
