/**
 * Notification settings as the page edits them: every field a string (or a flag) bound to
 * one input, and each input knows its JSON path, so a 400 from the server (whose `path` is
 * like `$.channels[0].url`) is shown beside the field it names. The server is the validator:
 * the page converts types and sends, it does not second-guess.
 */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export const SMTP_TLS = ['starttls', 'implicit', 'none'] as const;

/** GET /api/v1/settings/notifications, as docs/api.md shows it (secrets only as flags). */
export interface SettingsJson {
  version: number;
  updated_at: string | null;
  public_url?: string;
  allow_internal: string[];
  channels: ChannelJson[];
  delivery: Record<DeliveryKey, number>;
}

type ChannelJson =
  | {
      type: 'webhook';
      id: string;
      enabled: boolean;
      min_severity: string;
      url: string;
      format: string;
      secret_set?: boolean;
    }
  | {
      type: 'email';
      id: string;
      enabled: boolean;
      min_severity: string;
      smtp: {
        host: string;
        port?: number;
        tls: string;
        username?: string;
        password_set?: boolean;
        ca?: string;
      };
      from: string;
      to: string[];
    };

export const DELIVERY_KEYS = [
  'max_attempts',
  'timeout_ms',
  'backoff_initial_ms',
  'backoff_max_ms',
] as const;
type DeliveryKey = (typeof DELIVERY_KEYS)[number];

export interface ChannelForm {
  type: 'webhook' | 'email';
  id: string;
  enabled: boolean;
  min_severity: string;
  url: string;
  format: string;
  /** Write-only: empty keeps the stored secret (or has one generated for a new webhook). */
  secret: string;
  secret_set: boolean;
  host: string;
  port: string;
  tls: string;
  username: string;
  /** Write-only: empty keeps the stored password for the same username. */
  password: string;
  password_set: boolean;
  ca: string;
  from: string;
  /** Recipients, separated by commas or spaces. */
  to: string;
}

export interface SettingsForm {
  version: number;
  public_url: string;
  /** One CIDR, address or host name per line. */
  allow_internal: string;
  channels: ChannelForm[];
  delivery: Record<DeliveryKey, string>;
}

export function newChannel(type: 'webhook' | 'email'): ChannelForm {
  return {
    type,
    id: '',
    enabled: true,
    min_severity: 'low',
    url: '',
    format: 'json',
    secret: '',
    secret_set: false,
    host: '',
    port: '',
    tls: 'starttls',
    username: '',
    password: '',
    password_set: false,
    ca: '',
    from: '',
    to: '',
  };
}

export function formFromJson(s: SettingsJson): SettingsForm {
  return {
    version: s.version,
    public_url: s.public_url ?? '',
    allow_internal: s.allow_internal.join('\n'),
    channels: s.channels.map((c) => {
      const base = { ...newChannel(c.type), id: c.id, enabled: c.enabled };
      base.min_severity = c.min_severity;
      if (c.type === 'webhook') {
        return { ...base, url: c.url, format: c.format, secret_set: c.secret_set === true };
      }
      return {
        ...base,
        host: c.smtp.host,
        port: c.smtp.port === undefined ? '' : String(c.smtp.port),
        tls: c.smtp.tls,
        username: c.smtp.username ?? '',
        password_set: c.smtp.password_set === true,
        ca: c.smtp.ca ?? '',
        from: c.from,
        to: c.to.join(', '),
      };
    }),
    delivery: Object.fromEntries(
      DELIVERY_KEYS.map((k) => [k, String(s.delivery[k] ?? '')]),
    ) as Record<DeliveryKey, string>,
  };
}

/** A whole number as a number; anything else as typed, so the server names the field. */
function integer(value: string): number | string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^\d{1,15}$/.test(v) ? Number(v) : v;
}

const list = (value: string, separator: RegExp) =>
  value
    .split(separator)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** The PUT body; `version` makes a concurrent change a 409 rather than a silent overwrite. */
export function bodyFromForm(f: SettingsForm): Record<string, unknown> {
  const delivery: Record<string, unknown> = {};
  for (const k of DELIVERY_KEYS) {
    const n = integer(f.delivery[k]);
    if (n !== undefined) delivery[k] = n;
  }
  return {
    version: f.version,
    ...(f.public_url.trim() !== '' ? { public_url: f.public_url.trim() } : {}),
    allow_internal: list(f.allow_internal, /\n/),
    channels: f.channels.map((c) => {
      const base = { type: c.type, id: c.id, enabled: c.enabled, min_severity: c.min_severity };
      if (c.type === 'webhook') {
        return { ...base, url: c.url, format: c.format, ...(c.secret ? { secret: c.secret } : {}) };
      }
      const port = integer(c.port);
      return {
        ...base,
        smtp: {
          host: c.host,
          ...(port !== undefined ? { port } : {}),
          tls: c.tls,
          ...(c.username !== '' ? { username: c.username } : {}),
          ...(c.password !== '' ? { password: c.password } : {}),
          ...(c.ca.trim() !== '' ? { ca: c.ca } : {}),
        },
        from: c.from,
        to: list(c.to, /[,\s]+/),
      };
    }),
    delivery,
  };
}

/** Where a channel's field sits in the JSON the server validates. */
export function channelFieldPath(i: number, field: keyof ChannelForm): string {
  const smtp = ['host', 'port', 'tls', 'username', 'password', 'ca'];
  return `$.channels[${i}]${smtp.includes(field) ? '.smtp' : ''}.${field}`;
}

/** True when the server's error path points at this field (or an item of its list). */
export function pathNames(fieldPath: string, errorPath: string | undefined): boolean {
  if (errorPath === undefined) return false;
  return errorPath === fieldPath || errorPath.startsWith(`${fieldPath}[`);
}

// The fields with an input of their own (type and the enabled box cannot be wrong).
const COMMON_FIELDS: (keyof ChannelForm)[] = ['id', 'min_severity'];
export const CHANNEL_FIELDS: Record<ChannelForm['type'], (keyof ChannelForm)[]> = {
  webhook: [...COMMON_FIELDS, 'url', 'format', 'secret'],
  email: [...COMMON_FIELDS, 'host', 'port', 'tls', 'username', 'password', 'ca', 'from', 'to'],
};

/** Every path the form shows an input for: an error at any other path is shown on top. */
export function formPaths(f: SettingsForm): string[] {
  const paths = ['$.public_url', '$.allow_internal'];
  for (const k of DELIVERY_KEYS) paths.push(`$.delivery.${k}`);
  f.channels.forEach((c, i) => {
    for (const field of CHANNEL_FIELDS[c.type]) paths.push(channelFieldPath(i, field));
  });
  return paths;
}
