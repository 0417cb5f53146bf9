import type { Channel, NotificationSettings } from './settings.js';
import type { StoredSettings } from './settings-store.js';

/**
 * Settings as the API shows them: the same shape PUT takes, with every secret replaced by a
 * flag saying one is set. An allow-list, so a field added to the stored form stays private
 * until someone decides to show it.
 */
export function settingsJson(stored: StoredSettings): Record<string, unknown> {
  const s: NotificationSettings = stored.settings;
  return {
    version: stored.version,
    updated_at:
      stored.updatedAtMs === undefined ? null : new Date(stored.updatedAtMs).toISOString(),
    ...(s.publicUrl !== undefined ? { public_url: s.publicUrl } : {}),
    allow_internal: [...s.allowInternal],
    channels: s.channels.map(channelJson),
    delivery: {
      max_attempts: s.delivery.maxAttempts,
      timeout_ms: s.delivery.timeoutMs,
      backoff_initial_ms: s.delivery.backoffInitialMs,
      backoff_max_ms: s.delivery.backoffMaxMs,
    },
  };
}

function channelJson(c: Channel): Record<string, unknown> {
  const base = { type: c.type, id: c.id, enabled: c.enabled, min_severity: c.minSeverity };
  if (c.type === 'webhook') {
    return { ...base, url: c.url, format: c.format, secret_set: true };
  }
  return {
    ...base,
    smtp: {
      host: c.smtp.host,
      port: c.smtp.port,
      tls: c.smtp.tls,
      ...(c.smtp.username !== undefined ? { username: c.smtp.username } : {}),
      password_set: c.smtp.password !== undefined,
      ...(c.smtp.ca !== undefined ? { ca: c.smtp.ca } : {}),
    },
    from: c.from,
    to: [...c.to],
  };
}
