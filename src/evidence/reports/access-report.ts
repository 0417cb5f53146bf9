import { csvLine } from '../../util/csv.js';
import type { PeriodEvent, ReportBuilder } from './period-event.js';

/** One (source, actor, target) pair: how often, how it went, when first and last. */
export interface AccessRow {
  source: string;
  actor_id: string;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  events: number;
  success: number;
  failure: number;
  denied: number;
  first_time: string;
  last_time: string;
  actions: string[];
}

/** Distinct actions kept per row: enough to read, bounded for a noisy pair. */
const MAX_ACTIONS = 20;

/** "Who accessed what": events per actor and target in the period, from every source. */
export class AccessReport implements ReportBuilder<{ rows: AccessRow[] }> {
  private readonly rows = new Map<string, AccessRow>();

  add(e: PeriodEvent): boolean {
    const r = e.record;
    const key = JSON.stringify([
      e.source,
      r.actor.id,
      r.target?.type ?? null,
      r.target?.id ?? null,
    ]);
    let row = this.rows.get(key);
    if (!row) {
      row = {
        source: e.source,
        actor_id: r.actor.id,
        actor_name: r.actor.name ?? null,
        target_type: r.target?.type ?? null,
        target_id: r.target?.id ?? null,
        events: 0,
        success: 0,
        failure: 0,
        denied: 0,
        first_time: r.time,
        last_time: r.time,
        actions: [],
      };
      this.rows.set(key, row);
    }
    row.events++;
    if (r.outcome === 'success' || r.outcome === 'failure' || r.outcome === 'denied')
      row[r.outcome]++;
    if (r.time < row.first_time) row.first_time = r.time;
    if (r.time > row.last_time) row.last_time = r.time;
    if (!row.actions.includes(r.action) && row.actions.length < MAX_ACTIONS)
      row.actions.push(r.action);
    return false;
  }

  result(): { rows: AccessRow[] } {
    const rows = [...this.rows.values()].sort(
      (a, b) =>
        b.events - a.events ||
        a.actor_id.localeCompare(b.actor_id) ||
        (a.target_id ?? '').localeCompare(b.target_id ?? ''),
    );
    for (const row of rows) row.actions.sort();
    return { rows };
  }

  csv(): string {
    const head = csvLine([
      'source',
      'actor_id',
      'actor_name',
      'target_type',
      'target_id',
      'events',
      'success',
      'failure',
      'denied',
      'first_time',
      'last_time',
      'actions',
    ]);
    return (
      head +
      this.result()
        .rows.map((r) =>
          csvLine([
            r.source,
            r.actor_id,
            r.actor_name,
            r.target_type,
            r.target_id,
            r.events,
            r.success,
            r.failure,
            r.denied,
            r.first_time,
            r.last_time,
            r.actions.join(' '),
          ]),
        )
        .join('')
    );
  }
}
