import { createHash } from 'node:crypto';
import type { AlertSeverity } from '../types.js';
import { compileGate, compileMatch, type Predicate } from './compile-match.js';
import { didYouMean } from './did-you-mean.js';
import { type FieldGetter, fieldGetter } from './field-path.js';
import { type Grouping, grouping } from './grouping.js';
import type { RuleProblem } from './problems.js';
import type { CalendarSpec, Loc, MatchSpec, RuleFile, RuleKind, RuleSpec } from './rule-spec.js';

/** One layer of the active rules, lowest first: the built-in pack, the rules file, the API. */
export interface RuleLayer {
  name: string;
  file: RuleFile;
  /** Set for a built-in pack: its rules drop out when a later layer turns the pack off. */
  pack?: string;
}

export interface CompiledRule {
  id: string;
  title: string;
  description?: string;
  severity: AlertSeverity;
  kind: RuleKind;
  enabled: boolean;
  /** The layer that defined the rule (a later layer's toggle may change `enabled`). */
  layer: string;
  spec: RuleSpec;
  /**
   * Hash of what the rule decides (kind, conditions, windows, calendars), not of its title:
   * when a rule set changes, a rule with the same id and fingerprint keeps its window state.
   */
  fingerprint: string;
  match: Predicate;
  /**
   * A necessary condition on source, action and outcome alone (see compileGate); undefined
   * when the rule may match any of them.
   */
  gate?: Predicate;
  /** The rule's grouping (threshold/new_value group_by, sequence group_by; none for match). */
  group: Grouping;
  threshold?: { count: number; distinct?: FieldGetter; windowMs: number };
  sequence?: {
    windowMs: number;
    steps: { match: Predicate; group: Grouping; count: number }[];
  };
  newValue?: { field: FieldGetter; network: boolean; learningMs: number; maxValues: number };
  suppress?: { windowMs: number; group: Grouping };
}

export interface RuleSet {
  /** Every rule, enabled or not, in layer order. */
  rules: CompiledRule[];
  /** What the engine evaluates. */
  active: CompiledRule[];
  packs: Record<string, boolean>;
  calendars: Record<string, CalendarSpec>;
}

export type BuildResult = { ok: true; ruleSet: RuleSet } | { ok: false; problems: RuleProblem[] };

/**
 * Merges layers into the active rule set: a later layer's rule replaces an earlier one with
 * the same id, `{id, enabled}` switches one on or off, calendars are overridden by name and
 * `packs: {iso27001: false}` drops a pack. `strict` (validating a new layer) refuses
 * toggles of unknown rules; the engine, loading layers that were valid when stored, skips
 * them instead so an upgraded pack cannot stop monitoring.
 */
export function buildRuleSet(layers: readonly RuleLayer[], strict = true): BuildResult {
  const problems: RuleProblem[] = [];
  const packs: Record<string, boolean> = {};
  const calendars: Record<string, CalendarSpec> = {};
  for (const layer of layers) {
    if (layer.pack !== undefined) packs[layer.pack] = true;
  }
  for (const layer of layers) {
    // Pack names were checked when parsing; switching off one that is not loaded is harmless.
    for (const [name, p] of Object.entries(layer.file.packs)) packs[name] = p.enabled;
    for (const [name, c] of Object.entries(layer.file.calendars)) calendars[name] = c.spec;
  }

  const byId = new Map<string, { spec: RuleSpec; layer: string; enabled: boolean }>();
  for (const layer of layers) {
    if (layer.pack !== undefined && packs[layer.pack] === false) continue;
    for (const spec of layer.file.rules) {
      byId.delete(spec.id); // a replaced rule moves to its new layer's position
      byId.set(spec.id, { spec, layer: layer.name, enabled: spec.enabled });
    }
    for (const toggle of layer.file.toggles) {
      const target = byId.get(toggle.id);
      if (target) target.enabled = toggle.enabled;
      else if (strict) {
        problems.push({
          ...toggle.loc,
          message: `no earlier rule "${toggle.id}" to switch ${toggle.enabled ? 'on' : 'off'}${didYouMean(toggle.id, [...byId.keys()])}; a full rule needs title, severity and match`,
        });
      }
    }
  }

  const rules: CompiledRule[] = [];
  for (const { spec, layer, enabled } of byId.values()) {
    const resolved = resolveSpec(spec, calendars, problems);
    if (resolved) rules.push(compileRule(resolved, layer, enabled));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, ruleSet: { rules, active: rules.filter((r) => r.enabled), packs, calendars } };
}

/** The spec with every `off_hours: <name>` replaced by the calendar it names. */
function resolveSpec(
  spec: RuleSpec,
  calendars: Record<string, CalendarSpec>,
  problems: RuleProblem[],
): RuleSpec | undefined {
  let ok = true;
  const resolve = (m: MatchSpec | undefined): MatchSpec | undefined => {
    if (!m) return undefined;
    const out: MatchSpec = { fields: m.fields };
    if (m.any) out.any = m.any.map((b) => resolve(b)!);
    if (m.not) out.not = resolve(m.not)!;
    if (m.time_of_day) out.time_of_day = m.time_of_day;
    if (m.off_hours) {
      if ('calendar' in m.off_hours) {
        const ref: { calendar: string; loc: Loc } = m.off_hours;
        const found = calendars[ref.calendar];
        if (found) out.off_hours = found;
        else {
          ok = false;
          const names = Object.keys(calendars);
          problems.push({
            ...ref.loc,
            message: `no calendar "${ref.calendar}"${didYouMean(ref.calendar, names)}; define it under calendars: (known: ${names.join(', ') || 'none'})`,
          });
        }
      } else out.off_hours = m.off_hours;
    }
    return out;
  };
  const match = resolve(spec.match);
  const sequence = spec.sequence && {
    ...spec.sequence,
    steps: spec.sequence.steps.map((s) => ({ ...s, match: resolve(s.match)! })),
  };
  if (!ok) return undefined;
  return {
    ...spec,
    ...(match ? { match } : {}),
    ...(sequence ? { sequence } : {}),
  };
}

function compileRule(spec: RuleSpec, layer: string, enabled: boolean): CompiledRule {
  const groupPaths =
    spec.threshold?.group_by ?? spec.sequence?.group_by ?? spec.new_value?.group_by ?? [];
  const rule: CompiledRule = {
    id: spec.id,
    title: spec.title,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    severity: spec.severity,
    kind: spec.kind,
    enabled,
    layer,
    spec,
    fingerprint: fingerprintOf(spec),
    match: compileMatch(spec.match),
    group: grouping(groupPaths),
  };
  const gate = gateOf(spec);
  if (gate) rule.gate = gate;
  if (spec.threshold) {
    rule.threshold = {
      count: spec.threshold.count,
      ...(spec.threshold.distinct ? { distinct: fieldGetter(spec.threshold.distinct) } : {}),
      windowMs: spec.threshold.window_ms,
    };
  }
  if (spec.sequence) {
    rule.sequence = {
      windowMs: spec.sequence.window_ms,
      steps: spec.sequence.steps.map((s) => ({
        match: compileMatch(s.match),
        group: grouping(s.group_by),
        count: s.count,
      })),
    };
  }
  if (spec.new_value) {
    rule.newValue = {
      field: fieldGetter(spec.new_value.field),
      network: spec.new_value.network,
      learningMs: spec.new_value.learning_ms,
      maxValues: spec.new_value.max_values,
    };
  }
  if (spec.suppress) {
    rule.suppress = {
      windowMs: spec.suppress.window_ms,
      group: spec.suppress.group_by ? grouping(spec.suppress.group_by) : rule.group,
    };
  }
  return rule;
}

/** The rule's own gate, and for a sequence also one of its steps' gates. */
function gateOf(spec: RuleSpec): Predicate | undefined {
  const own = compileGate(spec.match);
  const steps = spec.sequence?.steps.map((s) => compileGate(s.match));
  if (!steps || steps.some((g) => g === undefined)) return own;
  const anyStep: Predicate = (e) => steps.some((g) => g!(e));
  return own ? (e) => own(e) && anyStep(e) : anyStep;
}

function fingerprintOf(spec: RuleSpec): string {
  const decides = {
    kind: spec.kind,
    match: spec.match ?? null,
    threshold: spec.threshold ?? null,
    sequence: spec.sequence ?? null,
    new_value: spec.new_value ?? null,
    suppress: spec.suppress ?? null,
  };
  return createHash('sha256').update(JSON.stringify(decides)).digest('hex').slice(0, 32);
}
