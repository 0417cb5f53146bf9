import type { Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { AlertTables } from './alert-tables.js';

/** Keys or ids in one `IN (…)` list: well under either database's parameter limit. */
export const IDS_PER_QUERY = 500;

/** The alert a raise key made, if any. */
export async function alertIdForKey(q: QueryRunner, key: string): Promise<string | undefined> {
  return (await alertIdsForKeys(q, [key])).get(key);
}

/** The alerts these raise keys made, by key (keys never claimed are absent). */
export async function alertIdsForKeys(
  q: QueryRunner,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const db = tables<AlertTables>(q);
  const found = new Map<string, string>();
  for (let i = 0; i < keys.length; i += IDS_PER_QUERY) {
    const rows = await q.all<Row>(
      db
        .selectFrom('alert_keys')
        .select(['alert_key', 'alert_id'])
        .where('alert_key', 'in', keys.slice(i, i + IDS_PER_QUERY)),
    );
    for (const row of rows) found.set(String(row.alert_key), String(row.alert_id));
  }
  return found;
}

/** Claims `key` for `alertId`; false when the key is already taken (nothing written). */
export async function claimAlertKey(
  q: QueryRunner,
  key: string,
  alertId: string,
  atMs: number,
): Promise<boolean> {
  return (await claimAlertKeys(q, [{ key, alertId }], atMs)) === 1;
}

/**
 * Claims each key for its alert, a few hundred per statement; a key already taken keeps its
 * alert (nothing written for it). Returns how many keys this claimed.
 */
export async function claimAlertKeys(
  q: QueryRunner,
  claims: readonly { key: string; alertId: string }[],
  atMs: number,
): Promise<number> {
  const db = tables<AlertTables>(q);
  let claimed = 0;
  for (let i = 0; i < claims.length; i += IDS_PER_QUERY) {
    const rows = claims
      .slice(i, i + IDS_PER_QUERY)
      .map((c) => ({ alert_key: c.key, alert_id: c.alertId, created_at_ms: atMs }));
    claimed += await q.run(
      db
        .insertInto('alert_keys')
        .values(rows)
        .onConflict((oc) => oc.column('alert_key').doNothing()),
    );
  }
  return claimed;
}
