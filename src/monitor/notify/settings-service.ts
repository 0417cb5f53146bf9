import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { SecretBox } from '../../util/secret-box.js';
import type { Requester } from '../requester.js';
import type { AttemptResult } from './attempt.js';
import type { NotificationSettingsInput } from './parse-settings.js';
import type { Sender } from './send.js';
import type { Channel } from './settings.js';
import { settingsUpdateEvent } from './settings-audit.js';
import {
  NotificationSettingsStore,
  type ReplacedSettings,
  type SettingsDatabase,
  type StoredSettings,
} from './settings-store.js';
import { sendTestNotifications } from './test-notification.js';

export interface NotificationSettingsServiceDeps {
  db: SettingsDatabase;
  /** The data folder's secrets key, which seals the secrets the settings hold. */
  secrets: SecretBox;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  ids: IdGenerator;
  /** How test notifications are sent (tests inject a fake). */
  send?: Sender;
}

/**
 * Notification settings for the API, the CLI and `serve --notifications`: one place where
 * they are read, replaced with their audit event in the same transaction, and tried out.
 */
export class NotificationSettingsService {
  readonly store: NotificationSettingsStore;

  constructor(private readonly deps: NotificationSettingsServiceDeps) {
    this.store = new NotificationSettingsStore(deps.db, deps.secrets);
  }

  read(): Promise<StoredSettings> {
    return this.store.read();
  }

  /**
   * Replaces the settings; the change and its `settings.update` event commit together. With
   * `skipUnchanged`, settings that already are exactly these are left alone, without an event.
   */
  async replace(
    input: NotificationSettingsInput,
    by: Requester,
    options: { skipUnchanged?: boolean; reason?: string } = {},
  ): Promise<ReplacedSettings> {
    const make = this.store.secretMaker();
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const saved = await this.store.replaceIn(tx, input, this.deps.clock.now(), options, make);
      const events = saved.changed
        ? [
            {
              ...settingsUpdateEvent(saved),
              ...by,
              ...(options.reason !== undefined ? { reason: options.reason } : {}),
            },
          ]
        : [];
      return { events, result: saved };
    });
    return result;
  }

  /**
   * Sends a test notification on every enabled channel, or on the one named (even when
   * paused: test before enabling it), and records that it did.
   */
  async sendTest(
    wanted: string | undefined,
    by: Requester,
  ): Promise<{ channel: Channel; result: AttemptResult }[]> {
    const { settings } = await this.read();
    const channels = settings.channels.filter((c) =>
      wanted === undefined ? c.enabled : c.id === wanted,
    );
    if (channels.length === 0) {
      throw wanted === undefined
        ? new AppError(
            'no_notification_channels',
            'no enabled notification channels; PUT /api/v1/settings/notifications first',
          )
        : new AppError('not_found', `no notification channel "${wanted}"`);
    }
    const now = this.deps.clock.now();
    const results = await sendTestNotifications(
      settings,
      channels,
      this.deps.ids(now),
      now,
      ...(this.deps.send ? [this.deps.send] : []),
    );
    await this.deps.audit.record({
      ...by,
      action: 'notification.test',
      target: { type: 'settings', id: 'notifications' },
      category: 'config',
      details: {
        channels: results.map((r) => r.channel.id),
        failed: results.filter((r) => !r.result.ok).map((r) => r.channel.id),
      },
    });
    return results;
  }
}
