import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SelfAuditEvent } from '../../../src/log/self-audit.js';
import { applyNotificationsFile } from '../../../src/monitor/notify/apply-file.js';
import {
  NotificationSettingsService,
  type NotificationSettingsServiceDeps,
} from '../../../src/monitor/notify/settings-service.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import type { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { STORES } from '../../support/stores.js';
import { tempDir } from '../../support/test-server.js';
import { T0, TEST_SECRETS } from './fixtures.js';

const YAML = `channels:
  - type: webhook
    id: ops
    url: https://hooks.example.com/evident
`;

describe('notification settings from a file at start (serve --notifications)', () => {
  const dir = tempDir('evident-notify-file-');
  const file = join(dir, 'notifications.yaml');
  let store: Store;
  let dispose: () => Promise<void>;
  const events: SelfAuditEvent[] = [];
  // The service commits a change with its events through the self-audit; here the events
  // are collected when the transaction commits.
  const audit: NotificationSettingsServiceDeps['audit'] = {
    record: async (event) => events.push(event),
    recordWithin: async (work) => {
      const { events: made, result } = await store.transaction(work);
      events.push(...made);
      return { result, seqs: made.map((_, i) => i) };
    },
  };
  const deps = () =>
    new NotificationSettingsService({
      db: store,
      secrets: TEST_SECRETS,
      clock: new ManualClock(T0),
      audit,
      ids: ulidGenerator(),
    });

  before(async () => {
    ({ store, dispose } = await STORES[0]!.create());
  });
  after(async () => {
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the file once, keeps the generated secret across restarts, audits only changes', async () => {
    writeFileSync(file, YAML);
    const first = await applyNotificationsFile(file, deps());
    assert.equal(first.changed, true);
    const secret = first.generated.ops!;
    assert.match(secret, /^whsec_/);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.action, 'settings.update');
    assert.equal(events[0]!.reason, `from ${file}`);
    assert.ok(!JSON.stringify(events).includes(secret));

    const restart = await applyNotificationsFile(file, deps());
    assert.equal(restart.changed, false);
    assert.deepEqual(restart.generated, {});
    assert.equal(restart.version, 1);
    assert.equal(events.length, 1, 'an unchanged file appends nothing');
    const stored = (await new NotificationSettingsStore(store, TEST_SECRETS).read()).settings
      .channels[0]!;
    assert.ok(stored.type === 'webhook' && stored.secret === secret);

    writeFileSync(file, YAML.replace('evident\n', 'evident\n    format: slack\n'));
    const edited = await applyNotificationsFile(file, deps());
    assert.equal(edited.changed, true);
    assert.equal(edited.version, 2);
    assert.deepEqual(events[1]!.details, {
      setting: 'notifications',
      version: 2,
      channels: ['ops'],
      allow_internal: [],
      secrets_changed: [],
    });
  });

  it('refuses a bad file with its line, changing nothing', async () => {
    writeFileSync(file, YAML.replace('url: https', 'url: ftp'));
    await assert.rejects(applyNotificationsFile(file, deps()), {
      message: /notifications\.yaml:4:10: \$\.channels\[0\]\.url: must be an http/,
    });
    assert.equal((await new NotificationSettingsStore(store, TEST_SECRETS).read()).version, 2);
  });
});
