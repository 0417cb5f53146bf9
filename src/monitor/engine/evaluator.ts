import { SELF_SOURCE } from '../../access/ingest-keys.js';
import { groupRecord } from '../rules/grouping.js';
import type { CompiledRule, RuleSet } from '../rules/rule-set.js';
import type { NewAlert, ObservedEntry } from '../types.js';
import { DEFAULT_LIMITS, type Firing, type StateLimits } from './limits.js';
import { type NewValueSnapshot, NewValueState } from './new-value-state.js';
import { type SequenceSnapshot, SequenceState } from './sequence-state.js';
import { Suppression, type SuppressionSnapshot } from './suppression.js';
import { type ThresholdSnapshot, ThresholdState } from './threshold-state.js';

/** The window and suppression state of every rule: JSON, persisted with the position. */
export interface EvaluatorSnapshot {
  rules: Record<
    string,
    {
      fingerprint: string;
      state?: ThresholdSnapshot | SequenceSnapshot | NewValueSnapshot;
      suppress?: SuppressionSnapshot;
    }
  >;
}

interface Runtime {
  rule: CompiledRule;
  state?: ThresholdState | SequenceState | NewValueState;
  suppress?: Suppression;
}

/**
 * The monitor's own alert events (`alert.raise`, `alert.acknowledge`…) are not evaluated:
 * a rule that matched them would raise alerts about alerts, forever.
 */
export function isOwnAlertEvent(e: ObservedEntry): boolean {
  return (
    e.source === SELF_SOURCE &&
    typeof e.record.action === 'string' &&
    e.record.action.startsWith('alert.')
  );
}

/**
 * Evaluates rules over entries in seq order. Pure: time is each entry's received_at, so the
 * same entries from the same snapshot raise the same alerts with the same keys — which is
 * what makes a replay after a crash harmless.
 */
export class Evaluator {
  private runtimes: Runtime[] = [];

  constructor(
    ruleSet: RuleSet,
    snapshot: EvaluatorSnapshot = { rules: {} },
    private readonly limits: StateLimits = DEFAULT_LIMITS,
  ) {
    this.load(ruleSet, snapshot);
  }

  /** Switches rules; a rule whose id and fingerprint are unchanged keeps its windows. */
  setRuleSet(ruleSet: RuleSet): void {
    this.load(ruleSet, this.snapshot());
  }

  evaluate(e: ObservedEntry): NewAlert[] {
    if (isOwnAlertEvent(e)) return [];
    const alerts: NewAlert[] = [];
    for (const rt of this.runtimes) {
      if (!rt.rule.match(e)) continue;
      const firing = rt.state ? rt.state.evaluate(e) : matchFiring(rt.rule, e);
      if (!firing) continue;
      if (rt.suppress) {
        const key = rt.rule.suppress!.group.keyOf(e.record) ?? '\u0000';
        if (!rt.suppress.admit(key, e.receivedAtMs)) continue;
      }
      alerts.push(toAlert(rt.rule, firing, e));
    }
    return alerts;
  }

  snapshot(): EvaluatorSnapshot {
    const rules: EvaluatorSnapshot['rules'] = {};
    for (const rt of this.runtimes) {
      rules[rt.rule.id] = {
        fingerprint: rt.rule.fingerprint,
        ...(rt.state ? { state: rt.state.snapshot() } : {}),
        ...(rt.suppress ? { suppress: rt.suppress.snapshot() } : {}),
      };
    }
    return { rules };
  }

  private load(ruleSet: RuleSet, snapshot: EvaluatorSnapshot): void {
    this.runtimes = ruleSet.active.map((rule) => {
      const saved = snapshot.rules[rule.id];
      const kept = saved?.fingerprint === rule.fingerprint ? saved : undefined;
      const rt: Runtime = { rule };
      switch (rule.kind) {
        case 'threshold':
          rt.state = new ThresholdState(rule, this.limits, kept?.state as ThresholdSnapshot);
          break;
        case 'sequence':
          rt.state = new SequenceState(rule, this.limits, kept?.state as SequenceSnapshot);
          break;
        case 'new_value':
          rt.state = new NewValueState(rule, this.limits, kept?.state as NewValueSnapshot);
          break;
        case 'match':
          break;
      }
      if (rule.suppress) {
        rt.suppress = new Suppression(rule.suppress.windowMs, this.limits, kept?.suppress);
      }
      return rt;
    });
  }
}

function matchFiring(rule: CompiledRule, e: ObservedEntry): Firing {
  const action = typeof e.record.action === 'string' ? e.record.action : '?';
  const actor = (e.record.actor as { id?: unknown } | undefined)?.id;
  return {
    seqs: [e.seq],
    sources: [e.source],
    group: rule.group.keyOf(e.record) ?? '',
    summary: `${action} by ${typeof actor === 'string' ? actor : '?'} (source ${e.source})`,
  };
}

function toAlert(rule: CompiledRule, firing: Firing, e: ObservedEntry): NewAlert {
  const paths = rule.group.paths;
  const group =
    paths.length > 0 ? groupRecord(paths, rule.group.valuesOf(firing.group)) : undefined;
  const where = group
    ? ` for ${Object.entries(group)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`
    : '';
  const summary = `${firing.summary}${where}.`;
  return {
    // The triggering entry's seq makes the key deterministic: re-evaluating after a crash
    // produces the same key, and the sink ignores a key it has seen.
    key: `${rule.id}:${e.seq}`,
    ruleId: rule.id,
    title: rule.title,
    description: rule.description ? `${summary} ${rule.description}` : summary,
    severity: rule.severity,
    seqs: firing.seqs,
    sources: firing.sources,
    ...(group ? { group } : {}),
    triggeredAtMs: e.receivedAtMs,
  };
}
