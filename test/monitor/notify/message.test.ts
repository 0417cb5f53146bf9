import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertJson, apiLinks } from '../../../src/monitor/notify/alert-view.js';
import { retryDelayMs } from '../../../src/monitor/notify/backoff.js';
import { emailContent } from '../../../src/monitor/notify/email-message.js';
import {
  jsonPayload,
  type NotificationMessage,
  slackPayload,
} from '../../../src/monitor/notify/message.js';
import { afterAttempt, type Delivery } from '../../../src/monitor/notify/queue.js';
import { parseRetryAfter } from '../../../src/monitor/notify/send-webhook.js';
import { DEFAULT_DELIVERY } from '../../../src/monitor/notify/settings.js';
import { alert, T0 } from './fixtures.js';

const links = apiLinks('https://evident.example.com/');
const message = (overrides = {}): NotificationMessage => ({
  event: 'alert.raised',
  alert: alertJson(alert(overrides)),
  links: links(alert(overrides)),
});

describe('notification payloads', () => {
  it('default JSON: type, delivery id, the alert in API style, links', () => {
    const body = jsonPayload('01JDELIVERY0000000000000000', message(), T0 + 7);
    assert.deepEqual(body, {
      type: 'alert.raised',
      id: '01JDELIVERY0000000000000000',
      created_at: '2026-11-22T09:00:00.007Z',
      alert: {
        id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
        rule_id: 'iso27001.failed_sign_ins',
        title: 'Repeated failed sign-ins for u-1',
        description: '5 failed sign-ins within 5 minutes <script>',
        severity: 'high',
        state: 'open',
        seqs: [10, 11, 12, 13, 14],
        sources: ['billing-api'],
        group: { 'actor.id': 'u-1' },
        triggered_at: '2026-11-22T09:00:00.000Z',
        raised_at: '2026-11-22T09:00:00.005Z',
      },
      links: {
        alert: 'https://evident.example.com/api/v1/alerts/01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
        entries: 'https://evident.example.com/api/v1/log/entries?start=10&end=15',
      },
    });
  });

  it('Slack: fallback text and blocks, with mrkdwn control characters escaped', () => {
    const slack = slackPayload(message({ title: 'A & <b>' })) as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    assert.match(slack.text, /^\[HIGH\] A &amp; &lt;b&gt; — https:\/\/evident\.example\.com/);
    assert.deepEqual(
      slack.blocks.map((b) => b.type),
      ['header', 'section', 'section', 'context'],
    );
    assert.match(slack.blocks[1]!.text!.text, /&lt;script&gt;/);
    assert.ok(slack.blocks[2]!.fields!.some((f) => f.text === '*Rule*\niso27001.failed_sign_ins'));
    assert.ok(slack.blocks[0]!.text!.text.length <= 150);
    const long = slackPayload(message({ title: 'x'.repeat(400) })) as {
      blocks: { text: { text: string } }[];
    };
    assert.equal(long.blocks[0]!.text.text.length, 150);
  });

  it('e-mail: subject, a text part and an HTML part with the fields, escaped, and the link', () => {
    const mail = emailContent(message({ title: 'Line\nbreak' }));
    assert.equal(mail.subject, '[Evident HIGH] Line break');
    assert.match(mail.text, /Rule: +iso27001\.failed_sign_ins/);
    assert.match(mail.text, /Entries: +10, 11, 12, 13, 14/);
    assert.match(
      mail.text,
      /https:\/\/evident\.example\.com\/api\/v1\/alerts\/01JD8X7Q6R3T9V2W4Y5Z6A7B8C/,
    );
    assert.match(mail.html, /&lt;script&gt;/);
    assert.ok(!mail.html.includes('<script>'));
  });
});

describe('retries', () => {
  const settings = { backoffInitialMs: 1000, backoffMaxMs: 60_000 };

  it('doubles from the initial delay, within [half, all] of it, capped', () => {
    assert.equal(
      retryDelayMs(1, settings, () => 0),
      500,
    );
    assert.equal(
      retryDelayMs(1, settings, () => 0.999999),
      1000,
    );
    assert.equal(
      retryDelayMs(2, settings, () => 0),
      1000,
    );
    assert.equal(
      retryDelayMs(4, settings, () => 0.5),
      6000,
    );
    assert.equal(
      retryDelayMs(30, settings, () => 0.999999),
      60_000,
    );
    assert.equal(
      retryDelayMs(1000, settings, () => 0),
      30_000,
    );
  });

  it("honours a receiver's Retry-After, up to the cap", () => {
    assert.equal(
      retryDelayMs(1, settings, () => 0, 10_000),
      10_000,
    );
    assert.equal(
      retryDelayMs(1, settings, () => 0, 3_600_000),
      60_000,
    );
    assert.equal(parseRetryAfter('120', T0), 120_000);
    assert.equal(parseRetryAfter(new Date(T0 + 5000).toUTCString(), T0), 5000);
    assert.equal(parseRetryAfter('soon', T0), undefined);
  });

  const queued = (attempts: number): Delivery => ({
    id: 'd',
    channelId: 'ops',
    message: message(),
    createdAtMs: T0,
    attempts,
    nextAttemptAtMs: T0,
    lease: { owner: 'w', untilMs: T0 + 1000 },
    history: [],
    replays: 0,
  });
  const delivery = { ...DEFAULT_DELIVERY, maxAttempts: 3, backoffInitialMs: 1000 };

  it('after an attempt: delivered, waiting for a retry, or dead at the last attempt', () => {
    const ok = afterAttempt(
      queued(1),
      { ok: true, status: 204, durationMs: 3 },
      T0,
      delivery,
      () => 0,
    );
    assert.equal(ok.outcome, 'delivered');
    assert.equal(ok.lease, undefined);
    const failed = { ok: false, status: 500, error: 'HTTP 500', durationMs: 3 };
    const retry = afterAttempt(queued(2), failed, T0, delivery, () => 0);
    assert.equal(retry.outcome, undefined);
    assert.equal(retry.nextAttemptAtMs, T0 + 1000);
    assert.equal(retry.history.length, 1);
    const dead = afterAttempt(queued(3), failed, T0, delivery, () => 0);
    assert.equal(dead.outcome, 'dead');
    assert.equal(dead.finishedAtMs, T0);
  });
});
