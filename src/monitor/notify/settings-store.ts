import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import { isUniqueViolation, type QueryRunner } from '../../store/sql/query-runner.js';
import type { Store } from '../../store/store.js';
import {
  settingsRow,
  writeSettingsRow,
} from '../../store/tables/notify/notification-settings-table.js';
import type { SecretBox } from '../../util/secret-box.js';
import type { NotificationSettingsInput } from './parse-settings.js';
import { type Channel, EMPTY_SETTINGS, type NotificationSettings } from './settings.js';
import { hasClearSecrets, openSettings, sealSettings } from './settings-seal.js';

/** Where the settings live: the state tables, and a way to change them in one transaction. */
export type SettingsDatabase = Pick<Store, 'state' | 'transaction'>;

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
 * The one settings row (notification_settings), replaced whole in a transaction that locks
 * it. Secrets are sealed with the data folder's secrets key on the way in and opened on the
 * way out (settings-seal.ts).
 */
export class NotificationSettingsStore {
  constructor(
    private readonly db: SettingsDatabase,
    private readonly box: SecretBox,
    private readonly newSecret: () => string = newWebhookSecret,
  ) {}

  /** The settings as committed, or as the transaction `tx` sees them (then locked). */
  async read(tx?: QueryRunner): Promise<StoredSettings> {
    const row = await (tx ? settingsRow(tx, { lock: true }) : settingsRow(this.db.state));
    if (!row) return { settings: EMPTY_SETTINGS, version: 0 };
    const settings = openSettings(row.settings, this.box);
    return { settings, version: row.version, updatedAtMs: row.updatedAtMs };
  }

  /**
   * Seals secrets an older version stored in clear (run at start; idempotent, and safe with
   * several processes: the row is locked while it is rewritten). Returns whether it did.
   */
  sealStoredSecrets(atMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const row = await settingsRow(tx, { lock: true });
      if (!row || !hasClearSecrets(row.settings)) return false;
      const sealed = sealSettings(openSettings(row.settings, this.box), this.box);
      return writeSettingsRow(tx, sealed, row.version, atMs);
    });
  }

  /** Replaces the settings in a transaction of its own (no event: see `replaceIn`). */
  replace(
    input: NotificationSettingsInput,
    atMs: number,
    options: { skipUnchanged?: boolean } = {},
  ): Promise<ReplacedSettings> {
    const make = this.secretMaker();
    return this.db.transaction((tx) => this.replaceIn(tx, input, atMs, options, make));
  }

  /**
   * Makes new webhook secrets, one per channel however often a retried transaction asks, so
   * the secret shown to the caller is the one stored.
   */
  secretMaker(): (channelId: string) => string {
    const made = new Map<string, string>();
    return (id) => {
      let secret = made.get(id);
      if (secret === undefined) {
        secret = this.newSecret();
        made.set(id, secret);
      }
      return secret;
    };
  }

  /**
   * Replaces the settings inside the transaction `tx` (which holds the row until it ends).
   * Secrets left out are kept from the channel of the same id (or generated for a new
   * webhook), so a client can PUT back what GET showed it.
   */
  async replaceIn(
    tx: QueryRunner,
    input: NotificationSettingsInput,
    atMs: number,
    options: { skipUnchanged?: boolean },
    make: (channelId: string) => string,
  ): Promise<ReplacedSettings> {
    const current = await this.read(tx);
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
    let written: boolean;
    try {
      written = await writeSettingsRow(
        tx,
        sealSettings(resolved.settings, this.box),
        current.version,
        atMs,
      );
    } catch (error) {
      // Two first saves at once on PostgreSQL: the row did not exist to be locked.
      if (!isUniqueViolation(error)) throw error;
      written = false;
    }
    if (!written) {
      throw new AppError(
        'concurrent_change',
        'notification settings are being changed by others; try again',
      );
    }
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
