import type { EventRecord } from '../../core/record/types.js';

/** One log entry on its way to a SIEM: its place in the log and the record it commits to. */
export interface ExportedEntry {
  seq: number;
  /** base64 leaf hash. */
  leafHash: string;
  record: EventRecord;
  /** The canonical record text that was hashed (OCSF `raw_data`, so a SIEM can re-check it). */
  canonical: string;
}

/** The verb of a dotted action (`customer.read` → `read`; `principal.role_grant` → `role_grant`). */
export function verbOf(action: string): string {
  return action.slice(action.lastIndexOf('.') + 1);
}

/** The object of a dotted action (`db.query` → `db`). */
export function objectOf(action: string): string {
  const dot = action.indexOf('.');
  return dot < 0 ? action : action.slice(0, dot);
}
