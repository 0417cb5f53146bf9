import type { NotificationMessage } from './message.js';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The alert's fields as label/value rows, shared by the text and the HTML part. */
function rows(message: NotificationMessage): [string, string][] {
  const a = message.alert;
  const out: [string, string][] = [
    ['Severity', a.severity],
    ['Rule', a.rule_id],
    ['State', a.state],
    ['Sources', a.sources.join(', ') || '—'],
  ];
  if (a.group !== undefined && Object.keys(a.group).length > 0) {
    out.push([
      'Group',
      Object.entries(a.group)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ]);
  }
  const shown = a.seqs.slice(0, 20).join(', ');
  out.push([
    'Entries',
    a.seqs.length > 20 ? `${shown}, … (${a.seqs.length} in all)` : shown || '—',
  ]);
  out.push(['Triggered at', a.triggered_at], ['Raised at', a.raised_at], ['Alert id', a.id]);
  return out;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A plain-text body and a simple HTML one (no images, no remote content). */
export function emailContent(message: NotificationMessage): EmailContent {
  const a = message.alert;
  const test = message.event === 'notification.test' ? ' (test)' : '';
  // Header values are single lines: a title is validated upstream, but never trust a newline.
  const subject = `[Evident ${a.severity.toUpperCase()}] ${a.title}${test}`.replace(
    /[\r\n]+/g,
    ' ',
  );
  const table = rows(message);
  const width = Math.max(...table.map(([label]) => label.length));
  const text = [
    `${a.title}${test}`,
    '',
    ...(a.description !== undefined ? [a.description, ''] : []),
    ...table.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`),
    '',
    `Alert:    ${message.links.alert}`,
    `Entries:  ${message.links.entries}`,
    '',
    'Sent by Evident. Every step of this alert is recorded in the tamper-evident log.',
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(a.title)}${escapeHtml(test)}</h2>`,
    ...(a.description !== undefined ? [`<p>${escapeHtml(a.description)}</p>`] : []),
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...table.map(
      ([label, value]) =>
        `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    `<p><a href="${escapeHtml(message.links.alert)}">View the alert</a> · `,
    `<a href="${escapeHtml(message.links.entries)}">Triggering entries</a></p>`,
    '<p style="color:#666">Sent by Evident. Every step of this alert is recorded in the tamper-evident log.</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
