import type { AlertSeverity, AlertState } from '../types.js';
import type { AlertRecord } from './alert.js';

/**
 * What `onRaised` receives: the alert's plain facts, no handling history. Shaped like the
 * notifications' AlertView (src/monitor/notify/alert-view.ts), so a Notifier's `onRaised`
 * plugs in as it is, with neither module importing the other.
 */
export interface RaisedAlertView {
  id: string;
  ruleId: string;
  title: string;
  description?: string;
  severity: AlertSeverity;
  state: AlertState;
  seqs: number[];
  sources: string[];
  group?: Record<string, string>;
  triggeredAtMs: number;
  raisedAtMs: number;
}

export function alertView(alert: AlertRecord): RaisedAlertView {
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    title: alert.title,
    ...(alert.description !== undefined ? { description: alert.description } : {}),
    severity: alert.severity,
    state: alert.state,
    seqs: [...alert.seqs],
    sources: [...alert.sources],
    ...(alert.group !== undefined ? { group: { ...alert.group } } : {}),
    triggeredAtMs: alert.triggeredAtMs,
    raisedAtMs: alert.raisedAtMs,
  };
}
