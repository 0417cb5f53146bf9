import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type ChangeWindow, insideWindow, parseChangeWindow } from './change-window.js';

/**
 * One guardrail: statements it matches are refused (SQLSTATE 42501) in `enforce` mode, or
 * only marked in their event in `observe` mode (to try a rule before it bites).
 * A statement matches when every criterion given matches:
 * - `statements`: any of these names is the statement's verb (`select`, `delete`, `ddl`,
 *   `truncate`, `copy_in`, … as in `db.<verb>`) or one of its commands (`drop`, `create`,
 *   `alter`, `alter_system`, `copy_program`);
 * - `schemas`: the statement names an object in one of these schemas;
 * - `tables`: the statement names one of these tables (see tableMatches);
 * - `missingWhere`: it contains an UPDATE or DELETE without WHERE;
 * - `outside`: the gateway's clock is outside this change window when the statement arrives;
 * - `roles` / `exceptRoles`: the session's upstream PostgreSQL role is (is not) one of these.
 */
export interface GuardrailRule {
  name: string;
  statements?: string[];
  schemas?: string[];
  tables?: string[];
  missingWhere?: true;
  outside?: ChangeWindow;
  roles?: string[];
  exceptRoles?: string[];
  mode: 'enforce' | 'observe';
}

/** What a rule sees of a statement (the classifier's reading of it). */
export interface GuardedStatement {
  verb: string;
  commands?: string[];
  schemas?: string[];
  tables?: string[];
  missingWhere?: boolean;
}

/** What a rule sees of the moment and the session the statement arrives in. */
export interface GuardContext {
  /** The gateway's clock when the statement arrived. */
  atMs: number;
  /** The PostgreSQL role the gateway connects upstream as for this session. */
  upstreamRole: string;
}

/** The first matching rule in `enforce` mode, else the first in `observe` mode. */
export function matchGuardrail(
  rules: readonly GuardrailRule[],
  st: GuardedStatement,
  context: GuardContext,
): GuardrailRule | undefined {
  let observed: GuardrailRule | undefined;
  for (const rule of rules) {
    if (!matches(rule, st, context)) continue;
    if (rule.mode === 'enforce') return rule;
    observed ??= rule;
  }
  return observed;
}

function matches(rule: GuardrailRule, st: GuardedStatement, context: GuardContext): boolean {
  if (rule.statements && !rule.statements.some((s) => s === st.verb || st.commands?.includes(s)))
    return false;
  if (rule.schemas && !rule.schemas.some((s) => st.schemas?.includes(s))) return false;
  if (rule.tables && !rule.tables.some((t) => st.tables?.some((named) => tableMatches(t, named))))
    return false;
  if (rule.missingWhere && !st.missingWhere) return false;
  if (rule.roles && !rule.roles.includes(context.upstreamRole)) return false;
  if (rule.exceptRoles?.includes(context.upstreamRole)) return false;
  if (rule.outside && insideWindow(rule.outside, context.atMs)) return false;
  return true;
}

/**
 * A rule's table against a table as the statement names it. `accounts` in a rule matches
 * `accounts` in any schema; `billing.accounts` matches `billing.accounts` and also an
 * unqualified `accounts`, since the gateway cannot see the search_path that resolves it (a
 * rule errs towards matching). Names compare as PostgreSQL stores them: unquoted names
 * folded to lower case, quoted ones as written.
 */
export function tableMatches(ruleTable: string, named: string): boolean {
  if (ruleTable === named) return true;
  const ruleDot = ruleTable.lastIndexOf('.');
  const namedDot = named.lastIndexOf('.');
  if (ruleDot < 0) return namedDot >= 0 && named.slice(namedDot + 1) === ruleTable;
  return namedDot < 0 && ruleTable.slice(ruleDot + 1) === named;
}

/** Reads `rules:` from a YAML file; an invalid rule stops the gateway with the reason. */
export function loadGuardrails(file: string): GuardrailRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const rules = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw new Error(`${file}: expected a list under "rules:"`);
  return rules.map((r, i) => parseRule(r, `${file}: rule ${i + 1}`));
}

const LISTS = {
  statements: 'statements',
  schemas: 'schemas',
  tables: 'tables',
  roles: 'roles',
  except_roles: 'exceptRoles',
} as const;
const KEYS = new Set(['name', 'mode', 'missing_where', 'outside', ...Object.keys(LISTS)]);

export function parseRule(value: unknown, where: string): GuardrailRule {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where}: expected a mapping`);
  const r = value as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') throw new Error(`${where}: needs a name`);
  const at = `${where} (${r.name})`;
  for (const k of Object.keys(r))
    if (!KEYS.has(k)) throw new Error(`${at}: unknown key ${k} (known: ${[...KEYS].join(', ')})`);
  const mode = r.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'observe')
    throw new Error(`${at}: mode must be enforce or observe`);
  const rule: GuardrailRule = { name: r.name, mode };
  for (const [key, field] of Object.entries(LISTS)) {
    const list = r[key];
    if (list === undefined) continue;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((s) => typeof s === 'string' && s !== '')
    )
      throw new Error(`${at}: ${key} must be a non-empty list of names`);
    rule[field] = list.map((s: string) => (key === 'statements' ? s.toLowerCase() : s));
  }
  if (r.missing_where !== undefined) {
    // `false` would read as "only statements with a WHERE", which no one means.
    if (r.missing_where !== true)
      throw new Error(`${at}: missing_where must be true (leave it out otherwise)`);
    rule.missingWhere = true;
  }
  if (r.outside !== undefined) rule.outside = parseChangeWindow(r.outside, `${at}: outside`);
  // Roles and a window only narrow a rule: on their own they would refuse everything.
  if (!rule.statements && !rule.schemas && !rule.tables && !rule.missingWhere)
    throw new Error(`${at}: give at least one of statements, schemas, tables or missing_where`);
  return rule;
}
