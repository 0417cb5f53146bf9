import { SELF_SOURCE } from '../../log/self-source.js';
import { groupRecord } from '../rules/grouping.js';
import type { CompiledRule, RuleSet } from '../rules/rule-set.js';
import type { NewAlert, ObservedEntry } from '../types.js';
import { DEFAULT_LATE_AFTER_MS, isLate, judgedAtMs } from './event-time.js';
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

/** Distinct (source, action, outcome) remembered; beyond that the memo starts over. */
const MAX_CANDIDATE_KEYS = 20_000;

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
 * Evaluates rules over entries in seq order. Pure: time is each entry's own `time` (capped
 * at its received_at, event-time.ts), so the same entries from the same snapshot raise the
 * same alerts with the same keys — which is what makes a replay after a crash harmless.
 * Late entries (beyond `lateAfterMs`) and declared backfills never open an alert on their
 * own (docs/rules.md, "Event time").
 */
export class Evaluator {
  private runtimes: Runtime[] = [];
  /** source → action → outcome → the rules whose gate admits them (few distinct keys). */
  private readonly candidates = new Map<string, Map<unknown, Map<unknown, Runtime[]>>>();
  private candidateKeys = 0;

  constructor(
    ruleSet: RuleSet,
    snapshot: EvaluatorSnapshot = { rules: {} },
    private readonly limits: StateLimits = DEFAULT_LIMITS,
    private readonly lateAfterMs: number = DEFAULT_LATE_AFTER_MS,
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
    const late = isLate(e, this.lateAfterMs);
    // A declared backfill is matched like any entry but stays out of the live windows: a
    // month of imported history must neither alert nor crowd out what is happening now.
    if (late && e.historical) return alerts;
    for (const rt of this.candidatesFor(e)) {
      if (!rt.rule.match(e)) continue;
      const firing = rt.state
        ? rt.state.evaluate(e, late)
        : late
          ? undefined
          : matchFiring(rt.rule, e);
      if (!firing) continue;
      if (rt.suppress) {
        const key = rt.rule.suppress!.group.keyOf(e.record) ?? '\u0000';
        if (!rt.suppress.admit(key, judgedAtMs(e))) continue;
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

  private candidatesFor(e: ObservedEntry): Runtime[] {
    const { action, outcome } = e.record;
    // Nested maps rather than a joined key: no string is built per entry.
    let byAction = this.candidates.get(e.source);
    if (!byAction) {
      byAction = new Map();
      this.candidates.set(e.source, byAction);
    }
    let byOutcome = byAction.get(action);
    if (!byOutcome) {
      byOutcome = new Map();
      byAction.set(action, byOutcome);
    }
    let list = byOutcome.get(outcome);
    if (!list) {
      const probe: ObservedEntry = {
        seq: e.seq,
        source: e.source,
        record: { source: e.source, action, outcome },
        timeMs: e.timeMs,
        receivedAtMs: e.receivedAtMs,
        historical: e.historical,
      };
      list = this.runtimes.filter((rt) => !rt.rule.gate || rt.rule.gate(probe));
      if (++this.candidateKeys > MAX_CANDIDATE_KEYS) {
        this.candidates.clear();
        this.candidateKeys = 0;
      }
      byOutcome.set(outcome, list);
    }
    return list;
  }

  private load(ruleSet: RuleSet, snapshot: EvaluatorSnapshot): void {
    this.candidates.clear();
    this.candidateKeys = 0;
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
    ...(firing.seqsBySource ? { seqsBySource: firing.seqsBySource } : {}),
    ...(group ? { group } : {}),
    triggeredAtMs: e.receivedAtMs,
  };
}
