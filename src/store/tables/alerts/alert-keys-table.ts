import type { Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { AlertTables } from './alert-tables.js';

/** The alert a raise key made, if any. */
export async function alertIdForKey(q: QueryRunner, key: string): Promise<string | undefined> {
  const db = tables<AlertTables>(q);
  const row = await q.first<Row>(
    db.selectFrom('alert_keys').select('alert_id').where('alert_key', '=', key),
  );
  return row ? String(row.alert_id) : undefined;
}

/** Claims `key` for `alertId`; false when the key is already taken (nothing written). */
export async function claimAlertKey(
  q: QueryRunner,
  key: string,
  alertId: string,
  atMs: number,
): Promise<boolean> {
  const db = tables<AlertTables>(q);
  const changed = await q.run(
    db
      .insertInto('alert_keys')
      .values({ alert_key: key, alert_id: alertId, created_at_ms: atMs })
      .onConflict((oc) => oc.column('alert_key').doNothing()),
  );
  return changed === 1;
}
