import { readFileSync } from 'node:fs';
import { parseNotificationSettings } from './parse-settings.js';
import { readSettingsFile } from './settings-file.js';
import type { NotificationSettingsService } from './settings-service.js';
import type { ReplacedSettings } from './settings-store.js';

/**
 * Settings as code (`evident serve --notifications FILE`): the file replaces the stored
 * settings at start, audited like a PUT, unless they already are exactly what it says, so
 * restarts do not fill the log with no-op changes. Secrets the file leaves out are kept
 * (or generated for new webhooks, returned here to be shown once).
 */
export async function applyNotificationsFile(
  file: string,
  settings: Pick<NotificationSettingsService, 'replace'>,
): Promise<ReplacedSettings> {
  const value = readSettingsFile(readFileSync(file, 'utf8'), file);
  return settings.replace(
    parseNotificationSettings(value),
    { principal: { kind: 'system', id: 'serve' } },
    { skipUnchanged: true, reason: `from ${file}` },
  );
}
