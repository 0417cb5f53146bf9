import { AppError } from '../../errors.js';
import { isSealed, type Sealed, type SecretBox } from '../../util/secret-box.js';
import type { Channel, NotificationSettings } from './settings.js';

/**
 * Settings as the database holds them: webhook secrets and SMTP passwords sealed with the
 * data folder's secrets key. A plain string is a secret stored before sealing existed; it is
 * read as it is and sealed by the next write (or `sealStoredSecrets` at start).
 */
export type StoredNotificationSettings = Omit<NotificationSettings, 'channels'> & {
  channels: StoredChannel[];
};

type StoredChannel =
  | (Omit<Extract<Channel, { type: 'webhook' }>, 'secret'> & { secret: string | Sealed })
  | (Omit<Extract<Channel, { type: 'email' }>, 'smtp'> & {
      smtp: Omit<Extract<Channel, { type: 'email' }>['smtp'], 'password'> & {
        password?: string | Sealed;
      };
    });

const context = (channelId: string, field: string) => `notify:${channelId}:${field}`;

export function sealSettings(
  settings: NotificationSettings,
  box: SecretBox,
): StoredNotificationSettings {
  return {
    ...settings,
    channels: settings.channels.map((c): StoredChannel => {
      if (c.type === 'webhook')
        return { ...c, secret: box.seal(c.secret, context(c.id, 'secret')) };
      if (c.smtp.password === undefined) return c;
      return {
        ...c,
        smtp: { ...c.smtp, password: box.seal(c.smtp.password, context(c.id, 'password')) },
      };
    }),
  };
}

export function openSettings(
  stored: StoredNotificationSettings,
  box: SecretBox,
): NotificationSettings {
  const open = (value: string | Sealed, channelId: string, field: string) => {
    if (!isSealed(value)) return value;
    try {
      return box.open(value, context(channelId, field));
    } catch {
      throw new AppError(
        'secrets_key_mismatch',
        `the notification secrets cannot be decrypted with this data folder's secrets.key: every server of one database needs the same secrets.key (copy it from the server that wrote them)`,
      );
    }
  };
  return {
    ...stored,
    // Settings saved before allow_internal existed allowed nothing internal either.
    allowInternal: stored.allowInternal ?? [],
    channels: stored.channels.map((c): Channel => {
      if (c.type === 'webhook') return { ...c, secret: open(c.secret, c.id, 'secret') };
      const { password, ...smtp } = c.smtp;
      return {
        ...c,
        smtp:
          password === undefined ? smtp : { ...smtp, password: open(password, c.id, 'password') },
      };
    }),
  };
}

/** True when some secret is still stored in clear. */
export function hasClearSecrets(stored: StoredNotificationSettings): boolean {
  return stored.channels.some((c) =>
    c.type === 'webhook'
      ? !isSealed(c.secret)
      : c.smtp.password !== undefined && !isSealed(c.smtp.password),
  );
}
