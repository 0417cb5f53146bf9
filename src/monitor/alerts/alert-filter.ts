import { inScope, type SourceScope } from '../../access/authorization/source-scope.js';
import type { AlertSeverity, AlertState } from '../types.js';

/**
 * What a list, an export, the metrics or a bulk step narrow to; every field must match.
 * The alert tables apply it in SQL (src/store/tables/alerts/alert-where.ts), together with
 * the reader's scope.
 */
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
  /** The entry at this seq is one of those that triggered the alert (among its stored seqs). */
  eventSeq?: number;
}

/**
 * A scoped reader sees an alert when any of its sources is in scope: an alert is about
 * those sources' events, and seeing part of the cause is enough to handle it. An alert with
 * no source (none today) is shown only to readers of every source.
 */
export function visibleTo(scope: SourceScope, alert: { sources: readonly string[] }): boolean {
  return scope.all || alert.sources.some((s) => inScope(scope, s));
}
