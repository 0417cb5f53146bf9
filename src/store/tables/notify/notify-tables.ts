/** The notification tables (migration 8), as Kysely sees them: snake_case columns. */

/** One notification to one channel, from queued to delivered or dead (one row all along). */
export interface DeliveriesTable {
  id: string;
  channel: string;
  state: 'queued' | 'delivered' | 'dead';
  /** When the next attempt is due (queued); the sending loop reads by (state, this). */
  next_attempt_at_ms: number;
  attempts: number;
  replays: number;
  lease_owner: string | null;
  lease_until_ms: number | null;
  /** The newest failed attempt's error, for the dead-letter list. */
  last_error: string | null;
  /** The frozen NotificationMessage (JSON). */
  payload: string;
  /** The last attempts (JSON array, bounded). */
  history: string;
  created_at_ms: number;
  finished_at_ms: number | null;
  version: number;
  updated_at_ms: number;
}

/** The one row of notification settings (id 'current'); secrets inside are sealed. */
export interface NotificationSettingsTable {
  id: string;
  settings: string;
  version: number;
  updated_at_ms: number;
}

export interface NotifyTables {
  deliveries: DeliveriesTable;
  notification_settings: NotificationSettingsTable;
}
