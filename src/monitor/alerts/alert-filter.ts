import { inScope, type SourceScope } from '../../access/source-scope.js';
import type { AlertSeverity, AlertState } from '../types.js';
import type { AlertRecord } from './alert.js';

/** What a list, an export or the metrics narrow to; every field must match. */
export interface AlertFilter {
  state?: AlertState;
  severity?: AlertSeverity;
  rule?: string;
  /** An alert matches when any of its sources is this one. */
  source?: string;
  /** An account id. */
  assignee?: string;
  /** The group the rule counted in has this field with this value (e.g. actor.id = u-1). */
  group?: { field: string; value: string };
  /** Raised at or after. */
  fromMs?: number;
  /** Raised at or before. */
  toMs?: number;
}

export function matchesFilter(alert: AlertRecord, f: AlertFilter): boolean {
  return (
    (f.state === undefined || alert.state === f.state) &&
    (f.severity === undefined || alert.severity === f.severity) &&
    (f.rule === undefined || alert.ruleId === f.rule) &&
    (f.source === undefined || alert.sources.includes(f.source)) &&
    (f.assignee === undefined || alert.assignee === f.assignee) &&
    (f.group === undefined || groupHas(alert.group, f.group)) &&
    (f.fromMs === undefined || alert.raisedAtMs >= f.fromMs) &&
    (f.toMs === undefined || alert.raisedAtMs <= f.toMs)
  );
}

/**
 * A scoped reader sees an alert when any of its sources is in scope: an alert is about
 * those sources' events, and seeing part of the cause is enough to handle it. An alert with
 * no source (none today) is shown only to readers of every source.
 */
export function visibleTo(scope: SourceScope, alert: { sources: readonly string[] }): boolean {
  return scope.all || alert.sources.some((s) => inScope(scope, s));
}

function groupHas(
  group: Record<string, string> | undefined,
  want: { field: string; value: string },
): boolean {
  return (
    group !== undefined && Object.hasOwn(group, want.field) && group[want.field] === want.value
  );
}

/**
 * Which alerts a reader's list, export, metrics or bulk step include: those with a source in scope,
 * and, when filtering by source, only by a source they may read (filtering by another would
 * tell which alerts also involve it).
 */
export function readableBy(scope: SourceScope, filter: AlertFilter) {
  const sourceAllowed = filter.source === undefined || inScope(scope, filter.source);
  return (a: AlertRecord) => sourceAllowed && visibleTo(scope, a);
}
