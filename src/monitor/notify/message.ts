import type { AlertJson, AlertLinks } from './alert-view.js';

export const NOTIFICATION_EVENTS = ['alert.raised', 'notification.test'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * What one delivery says, frozen when it is queued: retries send the same alert as it was
 * raised, whatever happens to the alert afterwards.
 */
export interface NotificationMessage {
  event: NotificationEvent;
  alert: AlertJson;
  links: AlertLinks;
}

/** The default webhook body (docs/notifications.md shows it). */
export function jsonPayload(
  deliveryId: string,
  message: NotificationMessage,
  createdAtMs: number,
): Record<string, unknown> {
  return {
    type: message.event,
    id: deliveryId,
    created_at: new Date(createdAtMs).toISOString(),
    alert: message.alert,
    links: message.links,
  };
}

const SEVERITY_MARK = { low: '🔵', medium: '🟡', high: '🟠', critical: '🔴' } as const;

/** Slack's mrkdwn control characters (api.slack.com/reference/surfaces/formatting#escaping). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A Slack incoming-webhook body (`text` is the fallback for notifications; `blocks` the
 * message), also accepted by Mattermost and other Slack-compatible receivers. Block text
 * limits: header 150, section text 3000, field 2000 characters.
 */
export function slackPayload(message: NotificationMessage): Record<string, unknown> {
  const a = message.alert;
  const test = message.event === 'notification.test' ? ' (test)' : '';
  const title = `${SEVERITY_MARK[a.severity]} ${a.title}${test}`;
  const fields = [
    `*Severity*\n${a.severity}`,
    `*Rule*\n${slackEscape(a.rule_id)}`,
    `*Sources*\n${slackEscape(a.sources.join(', ') || '—')}`,
    `*Triggered*\n${a.triggered_at}`,
  ];
  if (a.group !== undefined && Object.keys(a.group).length > 0) {
    const group = Object.entries(a.group).map(([k, v]) => `${k}=${v}`);
    fields.push(`*Group*\n${slackEscape(group.join(', '))}`);
  }
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
  ];
  if (a.description !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(slackEscape(a.description), 3000) },
    });
  }
  blocks.push({
    type: 'section',
    fields: fields.map((f) => ({ type: 'mrkdwn', text: clip(f, 2000) })),
  });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `<${message.links.alert}|Alert ${slackEscape(a.id)}> · <${message.links.entries}|Triggering entries>`,
      },
    ],
  });
  return {
    text: `[${a.severity.toUpperCase()}] ${slackEscape(a.title)}${test} — ${message.links.alert}`,
    blocks,
  };
}
