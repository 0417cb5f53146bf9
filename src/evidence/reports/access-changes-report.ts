import { csvLine } from '../../util/csv.js';
import type { PeriodEvent, ReportBuilder } from './period-event.js';

/** Actions that change who may access what: people and services, their roles, approvals, credentials. */
const ACCESS_CHANGE_PREFIXES = ['principal.', 'approval.', 'token.', 'ingest_key.'];
/** Reads of those lists are not changes. */
const NOT_CHANGES = new Set([
  'principal.list',
  'principal.read',
  'token.list',
  'ingest_key.list',
  'approval.list',
]);

export interface AccessChangeRow {
  seq: number;
  time: string;
  received_at: string;
  source: string;
  actor_id: string;
  actor_name: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  details: Record<string, unknown> | null;
}

export function isAccessChange(source: string, action: string): boolean {
  return (
    source === 'evident' &&
    ACCESS_CHANGE_PREFIXES.some((p) => action.startsWith(p)) &&
    !NOT_CHANGES.has(action)
  );
}

/** Access changes (grants, revocations, approvals, tokens, keys) recorded by the log itself. */
export class AccessChangesReport
  implements ReportBuilder<{ counts: Record<string, number>; changes: AccessChangeRow[] }>
{
  private readonly rows: AccessChangeRow[] = [];

  add(e: PeriodEvent): boolean {
    const r = e.record;
    if (!isAccessChange(e.source, r.action)) return false;
    this.rows.push({
      seq: e.seq,
      time: r.time,
      received_at: r.received_at,
      source: e.source,
      actor_id: r.actor.id,
      actor_name: r.actor.name ?? null,
      action: r.action,
      outcome: r.outcome,
      target_type: r.target?.type ?? null,
      target_id: r.target?.id ?? null,
      target_name: r.target?.name ?? null,
      details: r.details ?? null,
    });
    return true;
  }

  result(): { counts: Record<string, number>; changes: AccessChangeRow[] } {
    const counts: Record<string, number> = {};
    for (const r of this.rows) counts[r.action] = (counts[r.action] ?? 0) + 1;
    return { counts, changes: this.rows };
  }

  csv(): string {
    return (
      csvLine([
        'seq',
        'time',
        'received_at',
        'actor_id',
        'actor_name',
        'action',
        'outcome',
        'target_type',
        'target_id',
        'target_name',
        'details',
      ]) +
      this.rows
        .map((r) =>
          csvLine([
            r.seq,
            r.time,
            r.received_at,
            r.actor_id,
            r.actor_name,
            r.action,
            r.outcome,
            r.target_type,
            r.target_id,
            r.target_name,
            r.details ? JSON.stringify(r.details) : null,
          ]),
        )
        .join('')
    );
  }
}
