import type { SelfAuditEvent } from '../../log/self-audit.js';
import type { ReplacedSettings } from './settings-store.js';

/** The log's record of a settings change: what changed, never a secret (the log audits itself). */
export function settingsUpdateEvent(saved: ReplacedSettings): Omit<SelfAuditEvent, 'principal'> {
  return {
    action: 'settings.update',
    target: { type: 'settings', id: 'notifications' },
    category: 'config',
    details: {
      setting: 'notifications',
      version: saved.version,
      channels: saved.settings.channels.map((c) => c.id),
      // Who may be reached inside the network is a security decision: keep it visible.
      allow_internal: saved.settings.allowInternal,
      secrets_changed: saved.secretsChanged,
    },
  };
}
