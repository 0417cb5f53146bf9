import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * One guardrail: statements it matches are refused (SQLSTATE 42501) in `enforce` mode, or
 * only marked in their event in `observe` mode (to try a rule before it bites).
 * A statement matches when every criterion given matches:
 * - `statements`: any of these names is the statement's verb (`select`, `delete`, `ddl`,
 *   `truncate`, `copy_in`, … as in `db.<verb>`) or one of its commands (`drop`, `create`,
 *   `alter`, `alter_system`, `copy_program`);
 * - `schemas`: the statement names an object in one of these schemas.
 */
export interface GuardrailRule {
  name: string;
  statements?: string[];
  schemas?: string[];
  mode: 'enforce' | 'observe';
}

/** What a rule sees of a statement (the classifier's reading of it). */
export interface GuardedStatement {
  verb: string;
  commands?: string[];
  schemas?: string[];
}

/** The first matching rule in `enforce` mode, else the first in `observe` mode. */
export function matchGuardrail(
  rules: readonly GuardrailRule[],
  st: GuardedStatement,
): GuardrailRule | undefined {
  let observed: GuardrailRule | undefined;
  for (const rule of rules) {
    if (!matches(rule, st)) continue;
    if (rule.mode === 'enforce') return rule;
    observed ??= rule;
  }
  return observed;
}

function matches(rule: GuardrailRule, st: GuardedStatement): boolean {
  if (rule.statements && !rule.statements.some((s) => s === st.verb || st.commands?.includes(s)))
    return false;
  if (rule.schemas && !rule.schemas.some((s) => st.schemas?.includes(s))) return false;
  return true;
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

const KEYS = new Set(['name', 'statements', 'schemas', 'mode']);

export function parseRule(value: unknown, where: string): GuardrailRule {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where}: expected a mapping`);
  const r = value as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.has(k)) throw new Error(`${where}: unknown key ${k}`);
  if (typeof r.name !== 'string' || r.name === '') throw new Error(`${where}: needs a name`);
  const mode = r.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'observe')
    throw new Error(`${where} (${r.name}): mode must be enforce or observe`);
  const rule: GuardrailRule = { name: r.name, mode };
  for (const key of ['statements', 'schemas'] as const) {
    const list = r[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string'))
      throw new Error(`${where} (${r.name}): ${key} must be a non-empty list of names`);
    rule[key] = list.map((s) => (key === 'statements' ? s.toLowerCase() : s));
  }
  if (!rule.statements && !rule.schemas)
    throw new Error(`${where} (${r.name}): give statements, schemas or both`);
  return rule;
}
