import type { AttemptResult, Outgoing } from './attempt.js';
import { sendEmail } from './send-email.js';
import { sendWebhook } from './send-webhook.js';
import type { Channel } from './settings.js';
import type { Resolver } from './target-policy.js';

export interface SendOptions {
  nowMs: number;
  timeoutMs: number;
  /** Aborted when the notifier stops: the attempt ends as a failure and is retried. */
  signal?: AbortSignal;
  /** CIDRs and host names of internal receivers a webhook may reach (settings). */
  allowInternal: readonly string[];
  /** Name resolution for webhooks (tests inject a fixed answer). */
  resolve?: Resolver;
}

export type Sender = (
  channel: Channel,
  outgoing: Outgoing,
  options: SendOptions,
) => Promise<AttemptResult>;

/** One attempt on whichever kind of channel. */
export const sendToChannel: Sender = (channel, outgoing, options) =>
  channel.type === 'webhook'
    ? sendWebhook(channel, outgoing, options)
    : sendEmail(channel, outgoing, options);
