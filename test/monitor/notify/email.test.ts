import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { startNotifier } from '../../../src/monitor/notify/notifier.js';
import { parseNotificationSettings } from '../../../src/monitor/notify/parse-settings.js';
import { DeliveryQueue } from '../../../src/monitor/notify/queue.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import type { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { selfSignedCertificate } from '../../support/certificates.js';
import { STORES } from '../../support/stores.js';
import { tempDir } from '../../support/test-server.js';
import { alert, T0, TEST_SECRETS } from './fixtures.js';
import { decodeQuotedPrintable, MailSink } from './receivers.js';

const ACCOUNT = { user: 'evident', pass: 'relay-password-0123' };

describe('notifications: e-mail over SMTP (smtp-server on loopback)', () => {
  const dir = tempDir('evident-smtp-');
  let tls: { key: string; cert: string };
  let sink: MailSink;
  let store: Store;
  let dispose: () => Promise<void>;
  let clock: ManualClock;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    tls = selfSignedCertificate(dir);
    sink = await MailSink.start(ACCOUNT, { key: tls.key, cert: tls.cert });
    ({ store, dispose } = await STORES[0]!.create());
  });
  after(async () => {
    await sink.close();
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  const setup = async (smtp: Record<string, unknown>) => {
    clock = new ManualClock(T0);
    await new NotificationSettingsStore(store, TEST_SECRETS).replace(
      parseNotificationSettings({
        public_url: 'https://evident.example.com',
        channels: [
          {
            type: 'email',
            id: 'soc',
            smtp: { host: '127.0.0.1', port: sink.port, tls: 'starttls', ...smtp },
            from: 'evident@example.com',
            to: ['soc@example.com', 'ciso@example.com'],
          },
        ],
        delivery: { timeout_ms: 10_000, backoff_initial_ms: 1000 },
      }),
      clock.now(),
    );
    const n = startNotifier({
      secrets: TEST_SECRETS,
      store,
      clock,
      random: () => 0,
      autoStart: false,
    });
    stops.push(() => n.stop());
    return { n, queue: new DeliveryQueue(store, ulidGenerator()) };
  };

  it('delivers the alert through STARTTLS with authentication', async () => {
    const { n, queue } = await setup({
      username: ACCOUNT.user,
      password: ACCOUNT.pass,
      ca: tls.cert,
    });
    const arriving = sink.next();
    const [id] = await n.onRaised(alert());
    await (await n.runOnce()).settled;
    const mail = await arriving;
    assert.equal(mail.secure, true, 'the session was upgraded to TLS before AUTH');
    assert.equal(mail.user, ACCOUNT.user);
    assert.equal(mail.from, 'evident@example.com');
    assert.deepEqual(mail.to, ['soc@example.com', 'ciso@example.com']);
    assert.match(mail.raw, /^Subject: \[Evident HIGH\] Repeated failed sign-ins for u-1\r$/m);
    assert.match(mail.raw, new RegExp(`^Evident-Delivery: ${id}\\r$`, 'm'));
    assert.match(mail.raw, new RegExp(`^Message-ID: <${id}@example\\.com>\\r$`, 'mi'));
    const text = decodeQuotedPrintable(mail.raw);
    assert.match(text, /Rule: +iso27001\.failed_sign_ins/);
    assert.match(
      text,
      /https:\/\/evident\.example\.com\/api\/v1\/alerts\/01JD8X7Q6R3T9V2W4Y5Z6A7B8C/,
    );
    assert.match(text, /multipart\/alternative/);
    assert.match(text, /<th align="left">Severity<\/th><td>high<\/td>/);
    assert.equal((await queue.get('delivered', id!))?.value.attempts, 1);
  });

  it('fails (and retries later) when the relay refuses the password', async () => {
    const before = sink.messages.length;
    const { n, queue } = await setup({ username: ACCOUNT.user, password: 'wrong', ca: tls.cert });
    const [id] = await n.onRaised(alert());
    await (await n.runOnce()).settled;
    const queued = (await queue.get('queued', id!))!.value;
    assert.equal(queued.history[0]!.ok, false);
    assert.equal(queued.history[0]!.status, 535);
    assert.equal(queued.nextAttemptAtMs, T0 + 500);
    assert.equal(sink.messages.length, before);
  });

  it('refuses a relay whose certificate it cannot verify (no CA given for a self-signed one)', async () => {
    const before = sink.messages.length;
    const { n, queue } = await setup({ username: ACCOUNT.user, password: ACCOUNT.pass });
    const [id] = await n.onRaised(alert());
    await (await n.runOnce()).settled;
    const queued = (await queue.get('queued', id!))!.value;
    assert.equal(queued.history[0]!.ok, false);
    assert.match(queued.history[0]!.error!, /certificate/i);
    assert.equal(sink.messages.length, before);
  });
});
