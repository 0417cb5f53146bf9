import type { AlertView } from '../types.js';
import type { AlertRecord } from './alert.js';

/**
 * What `onRaised` receives: the alert's plain facts (the AlertView contract in
 * src/monitor/types.ts), no handling history, so a Notifier's `onRaised` plugs in as it is.
 */
export function alertView(alert: AlertRecord): AlertView {
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
