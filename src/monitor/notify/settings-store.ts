import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import { StateCollection } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import type { SecretBox } from '../../util/secret-box.js';
import type { NotificationSettingsInput } from './parse-settings.js';
import { type Channel, EMPTY_SETTINGS, type NotificationSettings } from './settings.js';
import {
  hasClearSecrets,
  openSettings,
  type StoredNotificationSettings,
  sealSettings,
} from './settings-seal.js';

export const SETTINGS_KIND = 'notify_settings';
const SETTINGS_ID = 'current';
const MAX_CAS_ATTEMPTS = 8;

export interface StoredSettings {
  settings: NotificationSettings;
  /** 0 when nothing was ever saved. */
  version: number;
  updatedAtMs?: number;
}

export interface ReplacedSettings extends StoredSettings {
  /** False when the settings already were exactly these (only with `skipUnchanged`). */
  changed: boolean;
  /** Webhook secrets made by this change, by channel id: shown once, to the caller only. */
  generated: Record<string, string>;
  /** Channels whose secret or password this change set (ids only, for the audit event). */
  secretsChanged: string[];
}

/** `whsec_` + 256 random bits: recognisable in a secret scanner, long enough for HMAC. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The one settings document, replaced whole with compare-and-set. Secrets are sealed with
 * the data folder's secrets key on the way in and opened on the way out (settings-seal.ts).
 */
export class NotificationSettingsStore {
  private readonly docs: StateCollection<StoredNotificationSettings>;

  constructor(
    store: Store,
    private readonly box: SecretBox,
    private readonly newSecret: () => string = newWebhookSecret,
  ) {
    this.docs = new StateCollection(store, SETTINGS_KIND);
  }

  async read(): Promise<StoredSettings> {
    const doc = await this.docs.get(SETTINGS_ID);
    if (!doc) return { settings: EMPTY_SETTINGS, version: 0 };
    const settings = openSettings(doc.value, this.box);
    return { settings, version: doc.version, updatedAtMs: doc.updatedAtMs };
  }

  /**
   * Seals secrets an older version stored in clear (run at start; idempotent, and safe with
   * several processes: a lost compare-and-set means another one just wrote sealed settings).
   * Returns whether it rewrote the document.
   */
  async sealStoredSecrets(atMs: number): Promise<boolean> {
    const doc = await this.docs.get(SETTINGS_ID);
    if (!doc || !hasClearSecrets(doc.value)) return false;
    const sealed = sealSettings(openSettings(doc.value, this.box), this.box);
    return this.docs.replace(SETTINGS_ID, sealed, doc.version, atMs);
  }

  /**
   * Replaces the settings. Secrets left out are kept from the channel of the same id (or
   * generated for a new webhook), so a client can PUT back what GET showed it.
   */
  async replace(
    input: NotificationSettingsInput,
    atMs: number,
    options: { skipUnchanged?: boolean } = {},
  ): Promise<ReplacedSettings> {
    // One secret per new channel, however often a conflict makes us re-resolve.
    const made = new Map<string, string>();
    const make = (id: string) => {
      let secret = made.get(id);
      if (secret === undefined) {
        secret = this.newSecret();
        made.set(id, secret);
      }
      return secret;
    };
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.read();
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new AppError(
          'version_mismatch',
          `notification settings are at version ${current.version}, not ${input.expectedVersion}: someone changed them; GET them again`,
          { path: '$.version' },
        );
      }
      const resolved = resolveSecrets(input, current.settings, make);
      if (
        options.skipUnchanged &&
        current.version > 0 &&
        JSON.stringify(resolved.settings) === JSON.stringify(current.settings)
      ) {
        return { ...current, changed: false, generated: {}, secretsChanged: [] };
      }
      const sealed = sealSettings(resolved.settings, this.box);
      const written =
        current.version === 0
          ? await this.docs.create(SETTINGS_ID, sealed, atMs)
          : await this.docs.replace(SETTINGS_ID, sealed, current.version, atMs);
      if (written) {
        return {
          changed: true,
          settings: resolved.settings,
          version: current.version + 1,
          updatedAtMs: atMs,
          generated: resolved.generated,
          secretsChanged: resolved.secretsChanged,
        };
      }
    }
    throw new AppError(
      'concurrent_change',
      'notification settings are being changed by others; try again',
    );
  }
}

/** Pure: the stored settings that `input` makes, given the `previous` ones. */
export function resolveSecrets(
  input: NotificationSettingsInput,
  previous: NotificationSettings,
  newSecret: (channelId: string) => string,
): { settings: NotificationSettings; generated: Record<string, string>; secretsChanged: string[] } {
  const before = new Map(previous.channels.map((c) => [c.id, c]));
  const generated: Record<string, string> = {};
  const secretsChanged: string[] = [];
  const channels = input.channels.map((channel, i): Channel => {
    const old = before.get(channel.id);
    if (channel.type === 'webhook') {
      const { regenerateSecret, secret: given, ...rest } = channel;
      let secret: string;
      if (given !== undefined) {
        secret = given;
      } else if (!regenerateSecret && old?.type === 'webhook') {
        secret = old.secret;
      } else {
        secret = newSecret(channel.id);
        generated[channel.id] = secret;
      }
      if (old?.type !== 'webhook' || old.secret !== secret) secretsChanged.push(channel.id);
      return { ...rest, secret };
    }
    const smtp = { ...channel.smtp };
    if (smtp.password !== undefined) {
      const oldPassword = old?.type === 'email' ? old.smtp.password : undefined;
      if (smtp.password !== oldPassword) secretsChanged.push(channel.id);
    } else if (smtp.username !== undefined) {
      const kept =
        old?.type === 'email' && old.smtp.username === smtp.username
          ? old.smtp.password
          : undefined;
      if (kept === undefined) {
        throw new AppError(
          'missing_field',
          `$.channels[${i}].smtp.password: is required for a new SMTP username`,
          { path: `$.channels[${i}].smtp.password` },
        );
      }
      smtp.password = kept;
    }
    return { ...channel, smtp };
  });
  return {
    settings: {
      ...(input.publicUrl !== undefined ? { publicUrl: input.publicUrl } : {}),
      allowInternal: input.allowInternal,
      channels,
      delivery: input.delivery,
    },
    generated,
    secretsChanged,
  };
}
