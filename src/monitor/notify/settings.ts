import type { AlertSeverity } from '../types.js';

/**
 * Notification settings as the server uses them. Secrets are usable values, not hashes,
 * because the server must sign with them (HMAC) and sign in with them (SMTP); in the database
 * they are encrypted with the data folder's secrets key (settings-seal.ts). They are written
 * through the API and never read back out (presenters drop them).
 */
export const CHANNEL_TYPES = ['webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** implicit = TLS from the first byte (port 465); starttls = upgrade required (587). */
export const SMTP_TLS_MODES = ['starttls', 'implicit', 'none'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

interface ChannelBase {
  id: string;
  enabled: boolean;
  /** Alerts below this severity are not sent on this channel. */
  minSeverity: AlertSeverity;
}

export interface WebhookChannel extends ChannelBase {
  type: 'webhook';
  url: string;
  format: WebhookFormat;
  secret: string;
}

export interface SmtpSettings {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  username?: string;
  password?: string;
  /** PEM certificates to trust besides the system's (a private mail relay). */
  ca?: string;
}

export interface EmailChannel extends ChannelBase {
  type: 'email';
  smtp: SmtpSettings;
  from: string;
  to: string[];
}

export type Channel = WebhookChannel | EmailChannel;

export interface DeliverySettings {
  maxAttempts: number;
  /** Per attempt: a receiver that hangs longer fails this attempt and is retried. */
  timeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export interface NotificationSettings {
  /** The server's address as receivers reach it, for links in payloads. */
  publicUrl?: string;
  /**
   * CIDRs and host names that webhooks may reach although they are internal (loopback,
   * private, link-local…): by default webhooks reach only public addresses.
   */
  allowInternal: string[];
  channels: Channel[];
  delivery: DeliverySettings;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  maxAttempts: 10,
  timeoutMs: 10_000,
  backoffInitialMs: 30_000,
  backoffMaxMs: 3_600_000,
};

export const EMPTY_SETTINGS: NotificationSettings = {
  allowInternal: [],
  channels: [],
  delivery: DEFAULT_DELIVERY,
};
