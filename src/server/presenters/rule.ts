import type { CompiledRule } from '../../monitor/rules/rule-set.js';

/** A rule as GET /api/v1/rules and `evident rules list` show it: its summary and definition. */
export function ruleJson(rule: CompiledRule): Record<string, unknown> {
  return {
    id: rule.id,
    title: rule.title,
    description: rule.description ?? null,
    severity: rule.severity,
    kind: rule.kind,
    enabled: rule.enabled,
    layer: rule.layer,
    definition: rule.spec.definition,
  };
}
