import { closest } from '../../core/did-you-mean.js';
import { AppError } from '../../errors.js';
import { ALERT_SEVERITIES } from '../types.js';
import {
  CHANNEL_TYPES,
  type ChannelType,
  DEFAULT_DELIVERY,
  type DeliverySettings,
  type EmailChannel,
  SMTP_TLS_MODES,
  type SmtpSettings,
  WEBHOOK_FORMATS,
  type WebhookChannel,
} from './settings.js';
import { parseAllowEntry, TargetPolicy } from './target-policy.js';

/** A webhook as written: the secret may be left out (kept, or generated for a new channel). */
export interface WebhookChannelInput extends Omit<WebhookChannel, 'secret'> {
  secret?: string;
  regenerateSecret: boolean;
}

/** An e-mail channel as written: `smtp.password` may be left out (kept). */
export type EmailChannelInput = EmailChannel;

export type ChannelInput = WebhookChannelInput | EmailChannelInput;

export interface NotificationSettingsInput {
  /** The version the writer last read: a PUT based on stale settings is refused (409). */
  expectedVersion?: number;
  publicUrl?: string;
  allowInternal: string[];
  channels: ChannelInput[];
  delivery: DeliverySettings;
}

export const MAX_CHANNELS = 50;
export const MAX_RECIPIENTS = 50;
export const MIN_SECRET_LENGTH = 24;
const CHANNEL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// A bare address: enough to catch typos; the relay is the judge of the rest.
const EMAIL_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$|^[^\s@<>",;]+@localhost$/;
const HOSTNAME = /^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/;

type Json = Record<string, unknown>;

function bad(path: string, message: string): AppError {
  return new AppError('invalid_field', `${path}: ${message}`, { path });
}

/** An object with only `allowed` keys: an unknown key is a typo that must not vanish. */
function objectAt(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(path, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const hint = closest(key, allowed);
      throw bad(
        `${path}.${key}`,
        `unknown field${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  return value as Json;
}

function text(
  obj: Json,
  key: string,
  path: string,
  options: { max?: number; min?: number } = {},
): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const at = `${path}.${key}`;
  if (typeof value !== 'string') throw bad(at, 'must be a string');
  const { min = 1, max = 1024 } = options;
  if (value.length < min || value.length > max) {
    throw bad(at, `must be ${min}–${max} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters would reach headers and mail
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) && key !== 'ca') {
    throw bad(at, 'must not contain control characters');
  }
  return value;
}

function required<T>(value: T | undefined, path: string, hint: string): T {
  if (value === undefined) throw bad(path, `is required (${hint})`);
  return value;
}

function integer(obj: Json, key: string, path: string, min: number, max: number) {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${path}.${key}`, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function flag(obj: Json, key: string, path: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw bad(`${path}.${key}`, 'must be true or false');
  return value;
}

function oneOf<T extends string>(obj: Json, key: string, path: string, values: readonly T[]) {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw bad(`${path}.${key}`, `must be one of ${values.join(', ')}`);
  }
  return value as T;
}

function httpUrl(value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(path, 'must be an absolute URL like https://hooks.example.com/evident');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw bad(path, 'must be an http:// or https:// URL');
  }
  return value;
}

function address(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL_ADDRESS.test(value)) {
    throw bad(path, 'must be an e-mail address like soc@example.com');
  }
  return value;
}

/**
 * Validates notification settings as the API and `evident notifications set` take them
 * (snake_case JSON or YAML); every refusal names the JSON path to fix.
 */
export function parseNotificationSettings(body: unknown, path = '$'): NotificationSettingsInput {
  // version, updated_at, secret_set and password_set are what GET shows: a client may send
  // back what it read. `version` then guards against overwriting someone else's change.
  const obj = objectAt(body, path, [
    'version',
    'updated_at',
    'public_url',
    'allow_internal',
    'channels',
    'delivery',
  ]);
  const expectedVersion = integer(obj, 'version', path, 0, Number.MAX_SAFE_INTEGER);
  const publicUrl = text(obj, 'public_url', path, { max: 2048 });
  if (publicUrl !== undefined) httpUrl(publicUrl, `${path}.public_url`);
  const list = obj.channels ?? [];
  if (!Array.isArray(list)) throw bad(`${path}.channels`, 'must be an array');
  if (list.length > MAX_CHANNELS) throw bad(`${path}.channels`, `at most ${MAX_CHANNELS}`);
  const allowInternal = parseAllowInternal(obj.allow_internal, `${path}.allow_internal`);
  const policy = new TargetPolicy(allowInternal);
  const seen = new Set<string>();
  const channels = list.map((item, i) => {
    const channel = parseChannel(item, `${path}.channels[${i}]`);
    if (channel.type === 'webhook') {
      // Literal internal addresses are refused now; names are checked at every connection.
      const refused = policy.urlRefusal(new URL(channel.url));
      if (refused !== undefined) throw bad(`${path}.channels[${i}].url`, refused);
    }
    if (seen.has(channel.id)) {
      throw bad(`${path}.channels[${i}].id`, `"${channel.id}" is used by another channel`);
    }
    seen.add(channel.id);
    return channel;
  });
  return {
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    ...(publicUrl !== undefined ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    allowInternal,
    channels,
    delivery: parseDelivery(obj.delivery, `${path}.delivery`),
  };
}

export const MAX_ALLOW_INTERNAL = 100;

/** CIDRs (`10.0.0.0/8`, `fd00::/8`), single addresses, or host names, each at most once. */
function parseAllowInternal(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_ALLOW_INTERNAL) {
    throw bad(path, `must be a list of at most ${MAX_ALLOW_INTERNAL} CIDRs or host names`);
  }
  return value.map((entry, i) => {
    const at = `${path}[${i}]`;
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > 253) {
      throw bad(at, 'must be a CIDR like 10.0.0.0/8, an address, or a host name');
    }
    if (parseAllowEntry(entry) !== undefined) return entry;
    if (entry.includes('/') || !HOSTNAME.test(entry) || /^[\d.]+$/.test(entry)) {
      throw bad(at, `"${entry}" is not a CIDR like 10.0.0.0/8, an address, or a host name`);
    }
    return entry.toLowerCase();
  });
}

const COMMON_KEYS = ['type', 'id', 'enabled', 'min_severity'];
const CHANNEL_KEYS: Record<ChannelType, readonly string[]> = {
  webhook: [...COMMON_KEYS, 'url', 'format', 'secret', 'secret_set', 'regenerate_secret'],
  email: [...COMMON_KEYS, 'smtp', 'from', 'to'],
};

function parseChannel(value: unknown, path: string): ChannelInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(path, 'must be an object');
  }
  // The type decides which fields are allowed, so it is read first.
  const type = required(
    oneOf(value as Json, 'type', path, CHANNEL_TYPES),
    `${path}.type`,
    'webhook or email',
  );
  const obj = objectAt(value, path, CHANNEL_KEYS[type]);
  const id = required(text(obj, 'id', path, { max: 64 }), `${path}.id`, 'a name like "soc-slack"');
  if (!CHANNEL_ID.test(id)) {
    throw bad(`${path}.id`, "must be letters, digits, '_' or '-', starting with a letter or digit");
  }
  const base = {
    id,
    enabled: flag(obj, 'enabled', path) ?? true,
    minSeverity: oneOf(obj, 'min_severity', path, ALERT_SEVERITIES) ?? 'low',
  };
  if (type === 'webhook') {
    const url = required(text(obj, 'url', path, { max: 2048 }), `${path}.url`, 'https://…');
    const secret = text(obj, 'secret', path, { min: MIN_SECRET_LENGTH, max: 256 });
    const regenerateSecret = flag(obj, 'regenerate_secret', path) ?? false;
    if (secret !== undefined && regenerateSecret) {
      throw bad(`${path}.regenerate_secret`, 'give a secret or ask for a new one, not both');
    }
    return {
      type,
      ...base,
      url: httpUrl(url, `${path}.url`),
      format: oneOf(obj, 'format', path, WEBHOOK_FORMATS) ?? 'json',
      ...(secret !== undefined ? { secret } : {}),
      regenerateSecret,
    };
  }
  const from = address(required(obj.from, `${path}.from`, 'the sender address'), `${path}.from`);
  const to = required(obj.to, `${path}.to`, 'a list of recipient addresses');
  if (!Array.isArray(to) || to.length === 0 || to.length > MAX_RECIPIENTS) {
    throw bad(`${path}.to`, `must be a list of 1–${MAX_RECIPIENTS} addresses`);
  }
  return {
    type,
    ...base,
    smtp: parseSmtp(required(obj.smtp, `${path}.smtp`, 'host, port, tls'), `${path}.smtp`),
    from,
    to: to.map((a, i) => address(a, `${path}.to[${i}]`)),
  };
}

const DEFAULT_PORTS = { implicit: 465, starttls: 587, none: 25 } as const;

function parseSmtp(value: unknown, path: string): SmtpSettings {
  const obj = objectAt(value, path, [
    'host',
    'port',
    'tls',
    'username',
    'password',
    'password_set',
    'ca',
  ]);
  const host = required(text(obj, 'host', path, { max: 255 }), `${path}.host`, 'the relay');
  if (!HOSTNAME.test(host)) throw bad(`${path}.host`, 'must be a host name or IP address');
  const tls = oneOf(obj, 'tls', path, SMTP_TLS_MODES) ?? 'starttls';
  const username = text(obj, 'username', path, { max: 256 });
  const password = text(obj, 'password', path, { max: 1024 });
  if (password !== undefined && username === undefined) {
    throw bad(`${path}.username`, 'is required with a password');
  }
  const ca = text(obj, 'ca', path, { max: 64 * 1024 });
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw bad(`${path}.ca`, 'must be PEM text with one or more -----BEGIN CERTIFICATE----- blocks');
  }
  return {
    host,
    port: integer(obj, 'port', path, 1, 65535) ?? DEFAULT_PORTS[tls],
    tls,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}

function parseDelivery(value: unknown, path: string): DeliverySettings {
  if (value === undefined) return { ...DEFAULT_DELIVERY };
  const obj = objectAt(value, path, [
    'max_attempts',
    'timeout_ms',
    'backoff_initial_ms',
    'backoff_max_ms',
  ]);
  const delivery: DeliverySettings = {
    maxAttempts: integer(obj, 'max_attempts', path, 1, 50) ?? DEFAULT_DELIVERY.maxAttempts,
    timeoutMs: integer(obj, 'timeout_ms', path, 100, 120_000) ?? DEFAULT_DELIVERY.timeoutMs,
    backoffInitialMs:
      integer(obj, 'backoff_initial_ms', path, 10, 3_600_000) ?? DEFAULT_DELIVERY.backoffInitialMs,
    backoffMaxMs:
      integer(obj, 'backoff_max_ms', path, 10, 86_400_000) ?? DEFAULT_DELIVERY.backoffMaxMs,
  };
  if (delivery.backoffMaxMs < delivery.backoffInitialMs) {
    throw bad(`${path}.backoff_max_ms`, 'must not be less than backoff_initial_ms');
  }
  return delivery;
}
