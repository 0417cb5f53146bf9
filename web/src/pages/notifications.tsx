import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api.js';
import { DeadLetters } from '../components/dead-letters.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { NotificationSettingsForm } from '../components/notification-settings-form.js';
import type { SettingsJson } from '../notification-form.js';

/**
 * Admin → Notifications: the webhook and e-mail settings and the dead letters. Everything
 * here is `settings.manage` on the server; anyone else gets its 403, shown as "not allowed"
 * and nothing else (no form, no list is even asked for).
 */
export function NotificationsPage() {
  const [settings, setSettings] = useState<SettingsJson | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    apiGet<SettingsJson>('/api/v1/settings/notifications').then(setSettings, setError);
  }, []);
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <section class="notifications">
      <h1>Notifications</h1>
      {forbidden ? (
        <p class="error" role="alert">
          You are not allowed to manage notifications (the admin role is).
        </p>
      ) : (
        <ErrorNote error={error} />
      )}
      {settings ? (
        <>
          <p>
            <Link href="/admin">Admin</Link> · Webhooks and e-mail sent when an alert is raised.
          </p>
          <h2>Settings</h2>
          <NotificationSettingsForm settings={settings} onSaved={setSettings} />
          <h2>Dead letters</h2>
          <DeadLetters />
        </>
      ) : null}
    </section>
  );
}
