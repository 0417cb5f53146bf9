import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../src/errors.js';
import { parseNotificationSettings } from '../../../src/monitor/notify/parse-settings.js';
import { EMPTY_SETTINGS } from '../../../src/monitor/notify/settings.js';
import { settingsJson } from '../../../src/monitor/notify/settings-json.js';
import { resolveSecrets } from '../../../src/monitor/notify/settings-store.js';

const HOOK = { type: 'webhook', id: 'ops', url: 'https://hooks.example.com/evident' };
const MAIL = {
  type: 'email',
  id: 'soc',
  smtp: { host: 'mail.example.com', username: 'evident', password: 'relay-password' },
  from: 'evident@example.com',
  to: ['soc@example.com'],
};

function refusal(body: unknown): { path: string | undefined; message: string } {
  try {
    parseNotificationSettings(body);
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'bad_request');
    return { path: error.path, message: error.message };
  }
  assert.fail('accepted');
}

describe('notification settings: validation', () => {
  it('fills in defaults: json format, severity low, enabled, STARTTLS on 587, delivery', () => {
    const parsed = parseNotificationSettings({
      public_url: 'https://evident.example.com/',
      channels: [HOOK, MAIL],
    });
    assert.equal(parsed.publicUrl, 'https://evident.example.com');
    const [hook, mail] = parsed.channels;
    assert.equal(hook!.type, 'webhook');
    assert.deepEqual(
      {
        format: hook!.type === 'webhook' && hook!.format,
        min: hook!.minSeverity,
        on: hook!.enabled,
      },
      { format: 'json', min: 'low', on: true },
    );
    assert.ok(mail!.type === 'email');
    assert.deepEqual(mail!.smtp, {
      host: 'mail.example.com',
      port: 587,
      tls: 'starttls',
      username: 'evident',
      password: 'relay-password',
    });
    assert.equal(parsed.delivery.maxAttempts, 10);
    assert.equal(parseNotificationSettings({}).channels.length, 0);
  });

  it('refuses bad input with the JSON path to fix', () => {
    const cases: [unknown, string, RegExp][] = [
      [[], '$', /object/],
      [{ chanels: [] }, '$.chanels', /did you mean "channels"/],
      [{ channels: {} }, '$.channels', /array/],
      [{ channels: [{ ...HOOK, type: 'pager' }] }, '$.channels[0].type', /webhook, email/],
      [{ channels: [{ ...HOOK, url: 'ftp://x' }] }, '$.channels[0].url', /http/],
      [{ channels: [{ ...HOOK, url: 'not a url' }] }, '$.channels[0].url', /absolute URL/],
      [{ channels: [{ ...HOOK, secret: 'short' }] }, '$.channels[0].secret', /24/],
      [{ channels: [{ ...HOOK, format: 'teams' }] }, '$.channels[0].format', /json, slack/],
      [
        { channels: [{ ...HOOK, min_severity: 'urgent' }] },
        '$.channels[0].min_severity',
        /critical/,
      ],
      [{ channels: [{ ...HOOK, id: 'a b' }] }, '$.channels[0].id', /letters/],
      [{ channels: [HOOK, { ...HOOK }] }, '$.channels[1].id', /another channel/],
      [{ channels: [{ ...HOOK, smtp: {} }] }, '$.channels[0].smtp', /unknown field/],
      [{ channels: [{ ...MAIL, to: [] }] }, '$.channels[0].to', /1–50/],
      [{ channels: [{ ...MAIL, to: ['soc'] }] }, '$.channels[0].to[0]', /e-mail address/],
      [{ channels: [{ ...MAIL, from: 'x@y.z\r\nBcc: a@b.c' }] }, '$.channels[0].from', /e-mail/],
      [
        { channels: [{ ...MAIL, smtp: { host: 'h', port: 70000 } }] },
        '$.channels[0].smtp.port',
        /1 to 65535/,
      ],
      [
        { channels: [{ ...MAIL, smtp: { host: 'h', password: 'p' } }] },
        '$.channels[0].smtp.username',
        /required/,
      ],
      [
        { channels: [{ ...MAIL, smtp: { host: 'h', ca: 'nope' } }] },
        '$.channels[0].smtp.ca',
        /PEM/,
      ],
      [
        { delivery: { backoff_initial_ms: 5000, backoff_max_ms: 1000 } },
        '$.delivery.backoff_max_ms',
        /less than/,
      ],
      [{ delivery: { max_attempts: 0 } }, '$.delivery.max_attempts', /1 to 50/],
    ];
    for (const [body, path, message] of cases) {
      const r = refusal(body);
      assert.equal(r.path, path, JSON.stringify(body));
      assert.match(r.message, message, JSON.stringify(body));
    }
  });

  it('takes back what GET showed (read-only fields are ignored)', () => {
    const shown = settingsJson({
      settings: {
        ...EMPTY_SETTINGS,
        channels: [
          {
            type: 'webhook',
            id: 'ops',
            url: 'https://h.example.com/',
            format: 'slack',
            secret: 'x'.repeat(30),
            enabled: true,
            minSeverity: 'high',
          },
        ],
      },
      version: 3,
      updatedAtMs: 0,
    });
    const parsed = parseNotificationSettings(JSON.parse(JSON.stringify(shown)));
    assert.equal(parsed.expectedVersion, 3);
    assert.equal(parsed.channels[0]!.type === 'webhook' && parsed.channels[0]!.secret, undefined);
  });
});

describe('notification settings: secrets', () => {
  const secrets = (prefix: string) => {
    let n = 0;
    return (id: string) => `${prefix}-${id}-${++n}`.padEnd(30, '0');
  };

  it('generates a secret for a new webhook, keeps it on later writes, regenerates on request', () => {
    const first = resolveSecrets(
      parseNotificationSettings({ channels: [HOOK] }),
      EMPTY_SETTINGS,
      secrets('a'),
    );
    const made = first.generated.ops!;
    assert.ok(made.startsWith('a-ops-1'));
    assert.deepEqual(first.secretsChanged, ['ops']);
    const hook = first.settings.channels[0]!;
    assert.ok(hook.type === 'webhook' && hook.secret === made);

    const again = resolveSecrets(
      parseNotificationSettings({ channels: [HOOK] }),
      first.settings,
      secrets('b'),
    );
    assert.deepEqual(again.generated, {});
    assert.deepEqual(again.secretsChanged, []);
    const kept = again.settings.channels[0]!;
    assert.ok(kept.type === 'webhook' && kept.secret === made);

    const rotated = resolveSecrets(
      parseNotificationSettings({ channels: [{ ...HOOK, regenerate_secret: true }] }),
      first.settings,
      secrets('c'),
    );
    assert.ok(rotated.generated.ops!.startsWith('c-ops'));
    assert.deepEqual(rotated.secretsChanged, ['ops']);

    const given = 'given-secret-0123456789abcdef';
    const set = resolveSecrets(
      parseNotificationSettings({ channels: [{ ...HOOK, secret: given }] }),
      first.settings,
      secrets('d'),
    );
    assert.deepEqual(set.generated, {});
    const withGiven = set.settings.channels[0]!;
    assert.ok(withGiven.type === 'webhook' && withGiven.secret === given);
  });

  it('keeps an SMTP password for the same username and asks for one for a new username', () => {
    const first = resolveSecrets(
      parseNotificationSettings({ channels: [MAIL] }),
      EMPTY_SETTINGS,
      secrets('a'),
    );
    assert.deepEqual(first.secretsChanged, ['soc']);
    const withoutPassword = { ...MAIL, smtp: { host: 'mail.example.com', username: 'evident' } };
    const kept = resolveSecrets(
      parseNotificationSettings({ channels: [withoutPassword] }),
      first.settings,
      secrets('b'),
    );
    const mail = kept.settings.channels[0]!;
    assert.ok(mail.type === 'email' && mail.smtp.password === 'relay-password');
    assert.deepEqual(kept.secretsChanged, []);

    const newUser = { ...MAIL, smtp: { host: 'mail.example.com', username: 'other' } };
    assert.throws(
      () =>
        resolveSecrets(
          parseNotificationSettings({ channels: [newUser] }),
          first.settings,
          secrets('c'),
        ),
      (e: unknown) => e instanceof AppError && e.path === '$.channels[0].smtp.password',
    );
  });

  it('never shows a secret or a password when presenting settings', () => {
    const stored = resolveSecrets(
      parseNotificationSettings({ channels: [HOOK, MAIL] }),
      EMPTY_SETTINGS,
      secrets('a'),
    );
    const text = JSON.stringify(settingsJson({ settings: stored.settings, version: 1 }));
    assert.ok(!text.includes(stored.generated.ops!));
    assert.ok(!text.includes('relay-password'));
    assert.match(text, /"secret_set":true/);
    assert.match(text, /"password_set":true/);
  });
});
