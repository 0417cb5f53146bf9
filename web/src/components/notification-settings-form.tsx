import { useState } from 'preact/hooks';
import { ApiError, apiSendText } from '../api.js';
import { text } from '../format.js';
import {
  bodyFromForm,
  type ChannelForm,
  channelFieldPath,
  DELIVERY_KEYS,
  formFromJson,
  formPaths,
  newChannel,
  pathNames,
  SEVERITIES,
  type SettingsForm,
  type SettingsJson,
  SMTP_TLS,
  WEBHOOK_FORMATS,
} from '../notification-form.js';
import { ErrorNote } from './error-note.js';
import { Field } from './field.js';

const DELIVERY_LABELS = {
  max_attempts: 'Attempts before a dead letter',
  timeout_ms: 'Timeout per attempt (ms)',
  backoff_initial_ms: 'First retry after (ms)',
  backoff_max_ms: 'Longest wait between retries (ms)',
} as const;

/**
 * The notification settings (PUT /api/v1/settings/notifications replaces them whole, with
 * `version`, so someone else's change in between is a 409 shown as the server words it).
 * Secrets are write-only: the form only says whether one is set.
 */
export function NotificationSettingsForm(props: {
  settings: SettingsJson;
  onSaved: (s: SettingsJson) => void;
}) {
  const [form, setForm] = useState<SettingsForm>(() => formFromJson(props.settings));
  const [error, setError] = useState<unknown>(undefined);
  const [generated, setGenerated] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);

  const fieldError = (path: string) =>
    error instanceof ApiError && error.status === 400 && pathNames(path, error.path)
      ? error.message
      : undefined;
  const claimed =
    error instanceof ApiError &&
    error.status === 400 &&
    formPaths(form).some((p) => pathNames(p, error.path));
  const edit = (next: SettingsForm) => {
    setForm(next);
    setSaved(false);
  };
  const setChannel = (i: number, patch: Partial<ChannelForm>) =>
    edit({
      ...form,
      channels: form.channels.map((c, j) => (j === i ? { ...c, ...patch } : c)),
    });

  const save = (e: Event) => {
    e.preventDefault();
    apiSendText<SettingsJson & { generated_secrets?: Record<string, string> }>(
      'PUT',
      '/api/v1/settings/notifications',
      JSON.stringify(bodyFromForm(form)),
      'application/json',
    ).then((answer) => {
      const { generated_secrets, ...settings } = answer;
      setGenerated(generated_secrets ?? {});
      setError(undefined);
      setSaved(true);
      setForm(formFromJson(settings));
      props.onSaved(settings);
    }, setError);
  };

  const input = (label: string, path: string, value: string, set: (v: string) => void) => (
    <Field label={label} path={path} error={fieldError(path)} value={value}>
      {(aria) => <input {...aria} value={value} onInput={(e) => set(e.currentTarget.value)} />}
    </Field>
  );
  const choice = (
    label: string,
    path: string,
    value: string,
    options: readonly string[],
    set: (v: string) => void,
  ) => (
    <Field label={label} path={path} error={fieldError(path)}>
      {(aria) => (
        <select {...aria} value={value} onChange={(e) => set(e.currentTarget.value)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const secret = (label: string, path: string, isSet: boolean, set: (v: string) => void) => (
    <Field label={label} path={path} error={fieldError(path)}>
      {(aria) => (
        <input
          {...aria}
          type="password"
          autocomplete="new-password"
          placeholder={isSet ? 'set — leave empty to keep it' : 'not set'}
          onInput={(e) => set(e.currentTarget.value)}
        />
      )}
    </Field>
  );

  return (
    <form class="notification-settings" onSubmit={save} noValidate>
      <p class="muted">
        Version {form.version}
        {props.settings.updated_at ? `, changed ${props.settings.updated_at}` : ''}.
      </p>
      {input('Public URL (base of links in payloads)', '$.public_url', form.public_url, (v) =>
        edit({ ...form, public_url: v }),
      )}
      <Field
        label="Internal receivers allowed (one CIDR or host name per line)"
        path="$.allow_internal"
        error={fieldError('$.allow_internal')}
        value={form.allow_internal}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={2}
            class="mono"
            value={form.allow_internal}
            onInput={(e) => edit({ ...form, allow_internal: e.currentTarget.value })}
          />
        )}
      </Field>
      {form.channels.map((c, i) => {
        const p = (field: keyof ChannelForm) => channelFieldPath(i, field);
        const set = (field: keyof ChannelForm) => (v: string) => setChannel(i, { [field]: v });
        return (
          <fieldset key={i} class="channel">
            <legend>
              {c.type === 'webhook' ? 'Webhook' : 'E-mail'} {text(c.id)}
            </legend>
            {input('Channel id', p('id'), c.id, set('id'))}
            <label class="toggle">
              <input
                type="checkbox"
                checked={c.enabled}
                onChange={(e) => setChannel(i, { enabled: e.currentTarget.checked })}
              />
              Enabled
            </label>
            {choice(
              'Lowest severity',
              p('min_severity'),
              c.min_severity,
              SEVERITIES,
              set('min_severity'),
            )}
            {c.type === 'webhook' ? (
              <>
                {input('URL', p('url'), c.url, set('url'))}
                {choice('Format', p('format'), c.format, WEBHOOK_FORMATS, set('format'))}
                {secret('Signing secret', p('secret'), c.secret_set, set('secret'))}
                {generated[c.id] ? (
                  <p class="notice" role="status">
                    The signing secret for {text(c.id)}, shown this once — copy it now:{' '}
                    <code class="mono">{generated[c.id]}</code>
                  </p>
                ) : null}
              </>
            ) : (
              <>
                {input('SMTP host', p('host'), c.host, set('host'))}
                {input('SMTP port', p('port'), c.port, set('port'))}
                {choice('TLS', p('tls'), c.tls, SMTP_TLS, set('tls'))}
                {input('SMTP username', p('username'), c.username, set('username'))}
                {secret('SMTP password', p('password'), c.password_set, set('password'))}
                {input('From', p('from'), c.from, set('from'))}
                {input('To (comma-separated)', p('to'), c.to, set('to'))}
                <Field
                  label="Private CA (PEM)"
                  path={p('ca')}
                  error={fieldError(p('ca'))}
                  value={c.ca}
                >
                  {(aria) => (
                    <textarea
                      {...aria}
                      rows={2}
                      class="mono"
                      value={c.ca}
                      onInput={(e) => setChannel(i, { ca: e.currentTarget.value })}
                    />
                  )}
                </Field>
              </>
            )}
            <button
              type="button"
              class="link"
              onClick={() => edit({ ...form, channels: form.channels.filter((_, j) => j !== i) })}
            >
              Remove this channel
            </button>
          </fieldset>
        );
      })}
      <p>
        <button
          type="button"
          onClick={() => edit({ ...form, channels: [...form.channels, newChannel('webhook')] })}
        >
          Add a webhook
        </button>{' '}
        <button
          type="button"
          onClick={() => edit({ ...form, channels: [...form.channels, newChannel('email')] })}
        >
          Add an e-mail channel
        </button>
      </p>
      <fieldset>
        <legend>Delivery</legend>
        {DELIVERY_KEYS.map((k) => (
          <span key={k}>
            {input(DELIVERY_LABELS[k], `$.delivery.${k}`, form.delivery[k], (v) =>
              edit({ ...form, delivery: { ...form.delivery, [k]: v } }),
            )}
          </span>
        ))}
      </fieldset>
      <p>
        <button type="submit">Save notification settings</button>
      </p>
      {saved ? <p role="status">Saved.</p> : null}
      {claimed ? (
        <p class="error" role="alert">
          Not saved: the server refused a field; its reason is shown beside it.
        </p>
      ) : (
        <ErrorNote error={error} />
      )}
    </form>
  );
}
