import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dataPaths } from '../../../src/data-folder.js';
import { openLog } from '../../../src/log/open-log.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { startServer } from '../../../src/server/start-server.js';
import {
  settingsRow,
  writeSettingsRow,
} from '../../../src/store/tables/notify/notification-settings-table.js';
import { loadOrCreateSecretBox, SecretBox } from '../../../src/util/secret-box.js';
import { call, type TestServer, tempDir, testServer } from '../../support/test-server.js';

const WEBHOOK_SECRET = 'whsec_kept-in-the-database-0123456789';
const SMTP_PASSWORD = 'smtp-password-at-rest-0123';

/** Webhook secrets and SMTP passwords never sit in clear in the database. */
describe('notification secrets at rest', () => {
  let t: TestServer;

  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  const rawSettings = async (store = t.log.store) =>
    JSON.stringify((await settingsRow(store.state))?.settings ?? '');

  it('stores what the API was given sealed with the data folder key (0600), and uses it in clear', async () => {
    const put = await call(t, 'PUT', '/api/v1/settings/notifications', t.admin, {
      channels: [
        { type: 'webhook', id: 'hook', url: 'https://hooks.example.com/e', secret: WEBHOOK_SECRET },
        { type: 'webhook', id: 'made', url: 'https://hooks.example.com/m' },
        {
          type: 'email',
          id: 'mail',
          smtp: { host: 'mail.example.com', username: 'evident', password: SMTP_PASSWORD },
          from: 'evident@example.com',
          to: ['soc@example.com'],
        },
      ],
    });
    assert.equal(put.statusCode, 200, put.body);
    const generated = put.json().generated_secrets.made as string;
    const raw = await rawSettings();
    for (const secret of [WEBHOOK_SECRET, generated, SMTP_PASSWORD]) {
      assert.ok(!raw.includes(secret), 'no secret in clear in the database');
    }
    assert.equal((raw.match(/"aes256gcm"/g) ?? []).length, 3);
    assert.equal(statSync(dataPaths(t.dir).secretsKey).mode & 0o777, 0o600);

    const opened = await new NotificationSettingsStore(t.log.store, t.secrets).read();
    const [hook, made, mail] = opened.settings.channels;
    assert.ok(hook?.type === 'webhook' && hook.secret === WEBHOOK_SECRET);
    assert.ok(made?.type === 'webhook' && made.secret === generated);
    assert.ok(mail?.type === 'email' && mail.smtp.password === SMTP_PASSWORD);
  });

  it('another secrets key cannot open them, and says which file to copy', async () => {
    const other = SecretBox.fromKey(new Uint8Array(32).fill(1));
    await assert.rejects(new NotificationSettingsStore(t.log.store, other).read(), {
      code: 'internal',
      reason: 'secrets_key_mismatch',
      message: /same secrets\.key/,
    });
  });
});

describe('notification secrets stored in clear by an older version', () => {
  const dir = tempDir('evident-secrets-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are sealed when the server starts, once, and still work', async () => {
    const log = await openLog({ dataDir: dir, origin: 'evident.test/secrets' });
    const clear = {
      publicUrl: 'https://evident.example.com',
      channels: [
        {
          type: 'webhook',
          id: 'old',
          enabled: true,
          minSeverity: 'low',
          url: 'https://hooks.example.com/old',
          format: 'json',
          secret: WEBHOOK_SECRET,
        },
      ],
      delivery: { maxAttempts: 3, timeoutMs: 1000, backoffInitialMs: 100, backoffMaxMs: 1000 },
    };
    // As an older version stored them: no allowInternal, the secret in clear.
    const stored = clear as unknown as Parameters<typeof writeSettingsRow>[1];
    assert.ok(await writeSettingsRow(log.store.state, stored, 0, 1));
    await log.close();

    const start = () =>
      startServer({
        dataDir: dir,
        host: '127.0.0.1',
        port: 0,
        monitor: false,
        bootstrapToken: false,
      });
    const first = await start();
    const row = (await settingsRow(first.log.store.state))!;
    const raw = { value: JSON.stringify(row.settings), version: row.version };
    await first.close();
    assert.ok(!raw.value.includes(WEBHOOK_SECRET), 'sealed at start');
    assert.equal(raw.version, 2);

    const second = await start();
    const again = (await settingsRow(second.log.store.state))!;
    const box = loadOrCreateSecretBox(dataPaths(dir).secretsKey);
    const opened = await new NotificationSettingsStore(second.log.store, box).read();
    await second.close();
    assert.equal(again.version, 2, 'a second start changes nothing');
    const channel = opened.settings.channels[0]!;
    assert.ok(channel.type === 'webhook' && channel.secret === WEBHOOK_SECRET);
    assert.deepEqual(opened.settings.allowInternal, []);
  });
});
