import { readFileSync } from 'node:fs';
import type { SelfAuditEvent } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { SecretBox } from '../../util/secret-box.js';
import { parseNotificationSettings } from './parse-settings.js';
import { settingsUpdateEvent } from './settings-audit.js';
import { readSettingsFile } from './settings-file.js';
import { NotificationSettingsStore, type ReplacedSettings } from './settings-store.js';

/**
 * Settings as code (`evident serve --notifications FILE`): the file replaces the stored
 * settings at start, audited like a PUT, unless they already are exactly what it says, so
 * restarts do not fill the log with no-op changes. Secrets the file leaves out are kept
 * (or generated for new webhooks, returned here to be shown once).
 */
export async function applyNotificationsFile(
  file: string,
  deps: {
    store: Store;
    /** The data folder's secrets key, which seals the secrets it stores. */
    secrets: SecretBox;
    clock: Clock;
    audit: (event: Omit<SelfAuditEvent, 'principal'>) => Promise<number>;
  },
): Promise<ReplacedSettings> {
  const value = readSettingsFile(readFileSync(file, 'utf8'), file);
  const saved = await new NotificationSettingsStore(deps.store, deps.secrets).replace(
    parseNotificationSettings(value),
    deps.clock.now(),
    { skipUnchanged: true },
  );
  if (saved.changed) await deps.audit({ ...settingsUpdateEvent(saved), reason: `from ${file}` });
  return saved;
}
