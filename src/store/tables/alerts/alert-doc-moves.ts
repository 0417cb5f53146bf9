import { ALERT_KEY_KIND, ALERT_KIND, type AlertRecord } from '../../../monitor/alerts/alert.js';
import type { DocMove, MovedDoc } from '../../doc-move.js';
import {
  alertColumns,
  alertFromRows,
  alertGroupRows,
  alertSeqRows,
  alertSourceRows,
  historyColumns,
} from './alert-rows.js';

/**
 * Migration 7's data step: each `alert` document becomes its row, source, seq, group and
 * history rows; each `alert_key` document its key row. A step's seq is not copied: it is
 * its event's, found in the log by the event id the document kept.
 */
export const ALERT_DOC_MOVES: readonly DocMove[] = [
  { kind: ALERT_KIND, table: 'alerts', toRows: (d) => [alertColumns(...checked(d))] },
  {
    kind: ALERT_KIND,
    table: 'alert_sources',
    // The state column comes with migration 15, which fills it from the alerts.
    toRows: (d) =>
      alertSourceRows(checked(d)[0]).map(({ alert_id, source }) => ({ alert_id, source })),
  },
  { kind: ALERT_KIND, table: 'alert_seqs', toRows: (d) => alertSeqRows(checked(d)[0]) },
  { kind: ALERT_KIND, table: 'alert_groups', toRows: (d) => alertGroupRows(checked(d)[0]) },
  {
    kind: ALERT_KIND,
    table: 'alert_history',
    toRows: (d) => {
      const [alert] = checked(d);
      return alert.history.map((h, step) => historyColumns(alert.id, step, h));
    },
  },
  {
    kind: ALERT_KEY_KIND,
    table: 'alert_keys',
    toRows: (d) => {
      const value = d.value as { alertId?: unknown } | null;
      if (typeof value?.alertId !== 'string') {
        throw new Error(`state document alert_key/${d.id} names no alert`);
      }
      return [{ alert_key: d.id, alert_id: value.alertId, created_at_ms: d.updatedAtMs }];
    },
  },
];

/**
 * The document as an alert, checked by mapping it to rows and reading those back (the same
 * checks every read makes), so a malformed document stops the migration with its id.
 */
function checked(d: MovedDoc): [AlertRecord, number, number] {
  const value = d.value as Partial<AlertRecord> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    value.id !== d.id ||
    !Array.isArray(value.history) ||
    !Array.isArray(value.sources) ||
    !Array.isArray(value.seqs)
  ) {
    throw new Error(`state document alert/${d.id} is not an alert`);
  }
  const alert = value as AlertRecord;
  try {
    const row = alertColumns(alert, d.version, d.updatedAtMs);
    const history = alert.history.map((h, step) => ({
      ...historyColumns(alert.id, step, h),
      seq: null,
    }));
    alertFromRows(row, history);
  } catch (error) {
    throw new Error(`state document alert/${d.id}: ${(error as Error).message}`);
  }
  return [alert, d.version, d.updatedAtMs];
}
