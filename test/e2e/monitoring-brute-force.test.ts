import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromBase64 } from '../../src/core/bytes.js';
import { canonicalize } from '../../src/core/canonical-json.js';
import { openCheckpoint } from '../../src/core/checkpoint.js';
import { leafHash } from '../../src/core/merkle.js';
import { parseVerifierKey } from '../../src/core/note.js';
import { verifyInclusion } from '../../src/core/proof.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { MailSink, WebhookReceiver } from '../monitor/notify/receivers.js';
import { event, tempDir } from '../support/test-server.js';

/**
 * Issue #5's "done when", through a real server on loopback: with the default rule pack a
 * scripted brute force against one source raises exactly one alert; a signed webhook and an
 * e-mail arrive at loopback receivers; a reviewer signed in with a password acknowledges and
 * resolves it with a disposition; and the alert's whole life is in the log and verifies.
 */
const ADMIN = 'eva_monitoring-e2e-admin-token-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-the-e2e-test-0123456789';
const MAIL = { user: 'evident', pass: 'relay-password-1' };
const REVIEWER_PASSWORD = 'a long reviewer passphrase';

describe('monitoring end to end: brute force → one alert → webhook + e-mail → handled', () => {
  let dir: string;
  let server: RunningServer;
  let hook: WebhookReceiver;
  let mail: MailSink;

  const api = async (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };
  const admin = { authorization: `Bearer ${ADMIN}` };

  before(async () => {
    dir = tempDir('evident-monitoring-e2e-');
    hook = await WebhookReceiver.start(WEBHOOK_SECRET, () => Date.now());
    mail = await MailSink.start(MAIL, { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const notifications = join(dir, 'notifications.yaml');
    writeFileSync(
      notifications,
      [
        'public_url: http://evident.test',
        'allow_internal: [127.0.0.1]  # the test receiver listens on loopback',
        'channels:',
        '  - type: webhook',
        '    id: soc-hook',
        `    url: ${hook.url}`,
        `    secret: ${WEBHOOK_SECRET}`,
        '  - type: email',
        '    id: soc-mail',
        '    smtp:',
        '      host: 127.0.0.1',
        `      port: ${mail.port}`,
        '      tls: none',
        `      username: ${MAIL.user}`,
        `      password: ${MAIL.pass}`,
        '    from: evident@example.test',
        '    to: [soc@example.test]',
        '',
      ].join('\n'),
    );
    server = await startServer({
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      adminTokenFromEnv: ADMIN,
      notificationsFile: notifications,
    });
  });
  after(async () => {
    await server?.close();
    await hook?.close();
    await mail?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises one alert, notifies twice, and records its handling in the verified log', async () => {
    // The admin sets up a source and a reviewer who signs in with a password.
    const key = await api('/api/v1/keys', {
      method: 'POST',
      body: { source: 'sso' },
      headers: admin,
    });
    assert.equal(key.status, 201, JSON.stringify(key.json));
    const reviewer = await api('/api/v1/principals', {
      method: 'POST',
      headers: admin,
      body: { kind: 'person', name: 'rita', password: REVIEWER_PASSWORD, roles: ['reviewer'] },
    });
    assert.equal(reviewer.status, 201, JSON.stringify(reviewer.json));
    const login = await api('/api/v1/auth/login', {
      method: 'POST',
      body: { name: 'rita', password: REVIEWER_PASSWORD },
    });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const session = { cookie, 'x-csrf-token': login.json.csrf_token as string };

    // A scripted brute force: 25 failed sign-ins for one account, from one address.
    const ingest = { authorization: `Bearer ${key.json.key}` };
    const attack = new Set<number>();
    for (let i = 0; i < 25; i++) {
      const res = await api('/api/v1/events', {
        method: 'POST',
        headers: ingest,
        body: event({
          time: new Date().toISOString(),
          action: 'user.sign_in',
          actor: { id: 'ada', type: 'user', ip: '203.0.113.9' },
          target: { type: 'account', id: 'ada' },
          outcome: 'failure',
          reason: 'bad_password',
          category: 'authentication',
        }),
      });
      assert.equal(res.status, 201);
      attack.add(res.json.entries[0].seq);
    }

    // Exactly one alert: wait until the engine has evaluated past the last event.
    const lastSeq = (await server.log.store.head())!.size - 1;
    let alerts: { id: string; rule_id: string; seqs: number[]; state: string }[] = [];
    for (let tries = 0; tries < 200; tries++) {
      const list = await api('/api/v1/alerts?rule=iso.failed-sign-ins', { headers: session });
      assert.equal(list.status, 200, JSON.stringify(list.json));
      alerts = list.json.alerts;
      if (alerts.length > 0 && (await engineAt()) > lastSeq) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(alerts.length, 1, 'one alert for 25 failures: suppression holds');
    const alert = alerts[0]!;
    assert.equal(alert.state, 'open');
    // The setup itself (a role grant, a new key, notification settings) raises the pack's
    // admin-change alerts; of the attack's 25 events, only the one alert above.
    const all = await api('/api/v1/alerts?limit=500', { headers: admin });
    const fromAttack = all.json.alerts.filter((a: { seqs: number[] }) =>
      a.seqs.some((seq) => attack.has(seq)),
    );
    assert.deepEqual(
      fromAttack.map((a: { id: string }) => a.id),
      [alert.id],
    );

    // A signed webhook and an e-mail arrive.
    // (the setup's own alerts are delivered too; find this one's)
    let delivery = await hook.next();
    while (JSON.parse(delivery.body).alert.id !== alert.id) delivery = await hook.next();
    assert.equal(delivery.verification.ok, true, JSON.stringify(delivery.verification));
    assert.equal(delivery.headers['evident-event'], 'alert.raised');
    let message = await mail.next();
    while (!/Repeated failed sign-ins/.test(message.raw)) message = await mail.next();
    assert.deepEqual(message.to, ['soc@example.test']);
    assert.equal(message.user, MAIL.user);

    // The reviewer handles it; a resolution needs a disposition.
    const ack = await api(`/api/v1/alerts/${alert.id}/acknowledge`, {
      method: 'POST',
      headers: session,
      body: {},
    });
    assert.equal(ack.status, 200, JSON.stringify(ack.json));
    const noDisposition = await api(`/api/v1/alerts/${alert.id}/resolve`, {
      method: 'POST',
      headers: session,
      body: { note: 'blocked the address' },
    });
    assert.equal(noDisposition.status, 400);
    const resolved = await api(`/api/v1/alerts/${alert.id}/resolve`, {
      method: 'POST',
      headers: session,
      body: { disposition: 'true_positive', note: 'blocked 203.0.113.9 at the edge' },
    });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.json));
    assert.equal(resolved.json.state, 'resolved');

    // The whole life is in the log, by the right actors, and each event is provably included.
    const life = await api(`/api/v1/events?source=evident&target=${alert.id}&limit=100`, {
      headers: admin,
    });
    assert.equal(life.status, 200);
    const entries = [...life.json.entries].reverse() as {
      seq: number;
      leaf_hash: string;
      record: {
        action: string;
        actor: { id: string; type: string; name?: string };
        details?: Record<string, unknown>;
      };
    }[];
    assert.deepEqual(
      entries.map((e) => e.record.action),
      ['alert.raise', 'alert.acknowledge', 'alert.resolve'],
    );
    assert.equal(entries[0]!.record.actor.type, 'system');
    assert.deepEqual(
      [entries[1]!.record.actor.type, entries[1]!.record.actor.name],
      ['person', 'rita'],
    );
    assert.equal(entries[2]!.record.details?.disposition, 'true_positive');
    const signIn = await api('/api/v1/events?source=evident&action=session.sign_in', {
      headers: admin,
    });
    assert.equal(signIn.json.entries[0].record.outcome, 'success');
    // …each provably included in a checkpoint signed by the log's key.
    const info = (await api('/api/v1/log', { headers: admin })).json;
    const cp = openCheckpoint(info.checkpoint, [parseVerifierKey(info.verifier_key)]);
    for (const e of entries) {
      assert.equal(e.leaf_hash, Buffer.from(leafHash(canonicalize(e.record))).toString('base64'));
      const proof = await api(`/api/v1/log/proof/inclusion?seq=${e.seq}&tree_size=${cp.size}`, {
        headers: admin,
      });
      assert.equal(proof.status, 200, JSON.stringify(proof.json));
      verifyInclusion(
        e.seq,
        cp.size,
        fromBase64(e.leaf_hash)!,
        proof.json.hashes.map((h: string) => fromBase64(h)!),
        cp.rootHash,
      );
    }
    const report = await verifyStore(server.log.store);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  async function engineAt(): Promise<number> {
    return server.monitor?.engine.position ?? -1;
  }
});

describe('serve --notifications FILE', () => {
  it('hands back a webhook secret it generated, once, and keeps it across restarts', async () => {
    const dir = tempDir('evident-notifications-file-');
    const file = join(dir, 'notifications.yaml');
    writeFileSync(
      file,
      [
        'allow_internal: [127.0.0.1]',
        'channels:',
        '  - type: webhook',
        '    id: no-secret-given',
        '    url: http://127.0.0.1:9/hook',
        '    enabled: false',
        '',
      ].join('\n'),
    );
    const start = () =>
      startServer({
        dataDir: join(dir, 'data'),
        host: '127.0.0.1',
        port: 0,
        adminTokenFromEnv: ADMIN,
        notificationsFile: file,
        monitor: false,
      });
    try {
      const first = await start();
      await first.close();
      assert.deepEqual(Object.keys(first.generatedWebhookSecrets), ['no-secret-given']);
      assert.match(first.generatedWebhookSecrets['no-secret-given']!, /^whsec_/);
      const second = await start();
      await second.close();
      assert.deepEqual(second.generatedWebhookSecrets, {}, 'the stored secret is kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
