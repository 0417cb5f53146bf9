import type { AlertView } from '../types.js';
import { alertJson } from './alert-view.js';
import type { AttemptResult } from './attempt.js';
import type { NotificationMessage } from './message.js';
import { linksFor } from './notifier.js';
import { type Sender, sendToChannel } from './send.js';
import type { Channel, NotificationSettings } from './settings.js';

/** A made-up alert, clearly marked, so an operator can check a channel end to end. */
export function testMessage(settings: NotificationSettings, id: string, nowMs: number) {
  const alert: AlertView = {
    id,
    ruleId: 'evident.notification_test',
    title: 'Evident test notification',
    description: 'Sent by `evident notifications test`. No alert was raised; nothing to do.',
    severity: 'low',
    state: 'open',
    seqs: [],
    sources: [],
    triggeredAtMs: nowMs,
    raisedAtMs: nowMs,
  };
  const message: NotificationMessage = {
    event: 'notification.test',
    alert: alertJson(alert),
    links: linksFor(settings)(alert),
  };
  return message;
}

/** Sends the test message on each channel at once (not queued: the caller waits for it). */
export async function sendTestNotifications(
  settings: NotificationSettings,
  channels: readonly Channel[],
  id: string,
  nowMs: number,
  send: Sender = sendToChannel,
): Promise<{ channel: Channel; result: AttemptResult }[]> {
  const message = testMessage(settings, id, nowMs);
  return Promise.all(
    channels.map(async (channel) => ({
      channel,
      result: await send(
        channel,
        { id, message, createdAtMs: nowMs },
        { nowMs, timeoutMs: settings.delivery.timeoutMs, allowInternal: settings.allowInternal },
      ),
    })),
  );
}
