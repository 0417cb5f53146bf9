import type { StoredNotificationSettings } from '../../../monitor/notify/settings-seal.js';
import { int } from '../../rows.js';
import { forUpdate, type QueryRunner, tables } from '../../sql/query-runner.js';
import { isObject, storedJson } from '../stored-json.js';
import type { NotifyTables } from './notify-tables.js';

/** The settings are one row: replaced whole, read whole, never queried inside. */
export const SETTINGS_ROW_ID = 'current';

export interface SettingsRow {
  settings: StoredNotificationSettings;
  version: number;
  updatedAtMs: number;
}

const db = (q: QueryRunner) => tables<NotifyTables>(q);

/**
 * The stored settings. With `lock`, inside a transaction, the row is held until it ends
 * (PostgreSQL: FOR UPDATE), so a replace reads and writes one version.
 */
export async function settingsRow(
  q: QueryRunner,
  options: { lock?: boolean } = {},
): Promise<SettingsRow | undefined> {
  const query = db(q)
    .selectFrom('notification_settings')
    .selectAll()
    .where('id', '=', SETTINGS_ROW_ID);
  const row = await q.first(options.lock ? forUpdate(q, query) : query);
  if (!row) return undefined;
  return {
    settings: storedJson(row.settings, isStoredSettings, 'notification settings'),
    version: int(row.version),
    updatedAtMs: int(row.updated_at_ms),
  };
}

/**
 * Writes the settings over `version` (0: there are none yet). False when someone else wrote
 * first; a first write that loses the race fails with a unique violation instead.
 */
export async function writeSettingsRow(
  q: QueryRunner,
  settings: StoredNotificationSettings,
  version: number,
  atMs: number,
): Promise<boolean> {
  const text = JSON.stringify(settings);
  if (version === 0) {
    await q.run(
      db(q)
        .insertInto('notification_settings')
        .values({ id: SETTINGS_ROW_ID, settings: text, version: 1, updated_at_ms: atMs }),
    );
    return true;
  }
  const changed = await q.run(
    db(q)
      .updateTable('notification_settings')
      .set({ settings: text, version: version + 1, updated_at_ms: atMs })
      .where('id', '=', SETTINGS_ROW_ID)
      .where('version', '=', version),
  );
  return changed === 1;
}

/** The outline the code relies on; the channels' own fields were checked when they were saved. */
export function isStoredSettings(value: unknown): value is StoredNotificationSettings {
  return (
    isObject(value) &&
    Array.isArray(value.channels) &&
    value.channels.every(
      (c) =>
        isObject(c) && typeof c.id === 'string' && (c.type === 'webhook' || c.type === 'email'),
    ) &&
    isObject(value.delivery) &&
    typeof value.delivery.maxAttempts === 'number' &&
    (value.allowInternal === undefined || Array.isArray(value.allowInternal))
  );
}
