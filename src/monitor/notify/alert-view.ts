import type { AlertSeverity, AlertState, AlertView } from '../types.js';

/** Where a receiver can look at the alert and its entries. */
export interface AlertLinks {
  alert: string;
  entries: string;
}

export type AlertLinkBuilder = (alert: AlertView) => AlertLinks;

/**
 * Links under the server's public URL: the alert resource, and the entries that triggered it
 * as one page of the log (the smallest seq range holding them).
 */
export function apiLinks(publicUrl: string): AlertLinkBuilder {
  const base = publicUrl.replace(/\/+$/, '');
  return (alert) => {
    const first = alert.seqs[0];
    const last = alert.seqs[alert.seqs.length - 1];
    return {
      alert: `${base}/api/v1/alerts/${encodeURIComponent(alert.id)}`,
      entries:
        first === undefined || last === undefined
          ? `${base}/api/v1/alerts/${encodeURIComponent(alert.id)}`
          : `${base}/api/v1/log/entries?start=${first}&end=${last + 1}`,
    };
  };
}

/** The alert in API style (snake_case, RFC 3339 times), as payloads and the API show it. */
export interface AlertJson {
  id: string;
  rule_id: string;
  title: string;
  description?: string;
  severity: AlertSeverity;
  state: AlertState;
  seqs: number[];
  sources: string[];
  group?: Record<string, string>;
  triggered_at: string;
  raised_at: string;
}

export function alertJson(alert: AlertView): AlertJson {
  return {
    id: alert.id,
    rule_id: alert.ruleId,
    title: alert.title,
    ...(alert.description !== undefined ? { description: alert.description } : {}),
    severity: alert.severity,
    state: alert.state,
    seqs: [...alert.seqs],
    sources: [...alert.sources],
    ...(alert.group !== undefined ? { group: { ...alert.group } } : {}),
    triggered_at: new Date(alert.triggeredAtMs).toISOString(),
    raised_at: new Date(alert.raisedAtMs).toISOString(),
  };
}
