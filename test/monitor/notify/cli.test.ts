/**
 * `evident notifications …` through the real CLI against a real `evident serve`, with a
 * webhook receiver on loopback.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  freePort,
  killAllChildren,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../../support/processes.js';
import { WebhookReceiver } from './receivers.js';

const TOKEN = 'eva_notify-cli-admin-token-0123456789';
const SECRET = 'whsec_cli-receiver-secret-0123456789abcdef';

describe('evident notifications (CLI, end to end)', () => {
  let dir: string;
  let server: ServerProcess;
  let receiver: WebhookReceiver;
  let settingsFile: string;

  before(async () => {
    dir = tempDir();
    server = await startServe({ dataDir: join(dir, 'data'), adminToken: TOKEN });
    receiver = await WebhookReceiver.start(SECRET, () => Date.now());
    settingsFile = join(dir, 'notifications.yaml');
    writeFileSync(
      settingsFile,
      [
        'public_url: https://evident.example.com',
        'allow_internal: [127.0.0.1]  # the test receivers listen on loopback',
        'channels:',
        '  - type: webhook',
        '    id: ops',
        `    url: ${receiver.url}`,
        `    secret: ${SECRET}`,
        '  - type: webhook',
        '    id: unreachable',
        `    url: http://127.0.0.1:${await freePort()}/hook`,
        'delivery:',
        '  timeout_ms: 5000',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await server?.kill();
    await killAllChildren();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli(['notifications', ...args, '--url', server.url, '--token', TOKEN]);

  it('sets settings from a YAML file, shows a generated secret once, never in get', async () => {
    const set = await cli('set', settingsFile);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /version 1: 2 channel\(s\)/);
    const made = /unreachable: (whsec_\S+)/.exec(set.stdout)?.[1];
    assert.ok(made, set.stdout);

    const get = await cli('get');
    assert.equal(get.code, 0, get.stderr);
    const shown = JSON.parse(get.stdout);
    assert.equal(shown.version, 1);
    assert.deepEqual(
      shown.channels.map((c: { id: string; secret_set: boolean }) => [c.id, c.secret_set]),
      [
        ['ops', true],
        ['unreachable', true],
      ],
    );
    assert.ok(!get.stdout.includes(SECRET) && !get.stdout.includes(made));
  });

  it('refuses a bad file before sending it, naming file, line and field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'channels:\n  - type: webhook\n    id: x\n    url: https://h.example.com\n    fromat: slack\n',
    );
    const res = await cli('set', bad);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /bad\.yaml:5:13: \$\.channels\[0\]\.fromat: unknown field \(did you mean "format"\?\)/,
    );
    assert.equal(JSON.parse((await cli('get')).stdout).version, 1, 'nothing was sent');
  });

  it('sends a test notification and says per channel whether it arrived', async () => {
    const one = await cli('test', '--channel', 'ops');
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^ops \(webhook\): ok \(204\) in \d+ ms$/m);
    const got = receiver.requests.at(-1)!;
    assert.equal(got.verification.ok, true);
    assert.equal(got.headers['evident-event'], 'notification.test');

    const all = await cli('test');
    assert.equal(all.code, 1, 'a failed channel fails the command');
    assert.match(all.stdout, /^unreachable \(webhook\): FAILED: .*ECONNREFUSED/m);
  });

  it('lists dead letters and explains an unknown replay', async () => {
    const list = await cli('dead-letters');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, /No dead letters\./);
    const replay = await cli('replay', '01JD8X7Q6R3T9V2W4Y5Z6A7B8C');
    assert.equal(replay.code, 1);
    assert.match(replay.stderr, /no dead letter 01JD8X7Q6R3T9V2W4Y5Z6A7B8C/);
  });
});
