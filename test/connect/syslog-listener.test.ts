import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { createIngestKey } from '../../src/access/credentials/ingest-keys.js';
import { BUILTIN_MAPPERS } from '../../src/connect/maps/builtin.js';
import { SyslogConnection } from '../../src/connect/syslog/connection.js';
import { type RunningListener, startSyslogListener } from '../../src/connect/syslog/listener.js';
import { parseListenerSpec } from '../../src/connect/syslog/listener-spec.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { makeTestPki, type TestPki } from '../support/test-ca.js';
import { tempDir } from '../support/test-server.js';

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function records(log: OpenLog, source: string): Promise<Record<string, unknown>[]> {
  const head = await log.store.head();
  const entries = await log.store.entries(0, head?.size ?? 0);
  return entries
    .filter((e) => e.source === source)
    .map((e) => JSON.parse(e.record) as Record<string, unknown>);
}

describe('syslog listener', () => {
  let dir: string;
  let log: OpenLog;
  let keyId: string;
  let pki: TestPki;
  const errors: unknown[] = [];
  const listeners: RunningListener[] = [];

  const start = async (url: string) => {
    const l = await startSyslogListener(parseListenerSpec(url), {
      store: log.store,
      append: (r, s) => log.sequencer.append(r, s),
      now: () => Date.now(),
      mappers: BUILTIN_MAPPERS,
      tls: { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8') },
      onError: (e) => errors.push(e),
      keyCheckMs: 50,
    });
    listeners.push(l);
    return l;
  };

  before(async () => {
    dir = tempDir();
    log = await openLog({ dataDir: dir, origin: 'evident.test/syslog' });
    keyId = (await createIngestKey(log.store, { now: () => Date.now() }, 'hosts')).row.id;
    pki = makeTestPki(dir);
  });
  after(async () => {
    for (const l of listeners) await l.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("TCP: mixed framing, mapped and raw lines all land once, as the key's source, and verify", async () => {
    const l = await start(`tcp://127.0.0.1:0?key=${keyId}`);
    const lines = [
      '<38>Nov 22 09:14:03 web1 sshd[1]: Accepted password for alice from 10.0.0.7 port 52314 ssh2',
      'garbage without a priority',
    ];
    const five424 =
      '<86>1 2026-11-22T09:14:03.120Z web1 sudo - - - alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id';
    const socket = netConnect(l.address.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`${lines.join('\n')}\n${Buffer.byteLength(five424)} ${five424}`);
    socket.end('<13>1 - - - - - - last line without a newline');
    await until(() => l.committed() === 4, '4 committed');
    const got = await records(log, 'hosts');
    assert.deepEqual(
      got.map((r) => r.action),
      ['ssh.login', 'syslog.raw', 'sudo.command', 'log.message'],
    );
    assert.equal((got[1]!.details as { line: string }).line, 'garbage without a priority');
    assert.deepEqual(got[1]!.actor, { id: '127.0.0.1', type: 'host', ip: '127.0.0.1' });
    const report = await verifyStore(log.store);
    assert.equal(report.ok, true);
  });

  it('TLS with a client certificate from the configured CA and an allowed CN', async () => {
    const l = await start(
      `tls://127.0.0.1:0?key=${keyId}&client_ca=${encodeURIComponent(pki.caFile)}&client_cn=web1`,
    );
    const before = (await records(log, 'hosts')).length;
    const socket = tlsConnect({
      port: l.address.port,
      host: '127.0.0.1',
      ca: readFileSync(pki.caFile),
      cert: readFileSync(pki.clientCert),
      key: readFileSync(pki.clientKey),
    });
    await new Promise((resolve, reject) =>
      socket.once('secureConnect', resolve).once('error', reject),
    );
    socket.end(
      '<38>Nov 22 09:14:03 web1 sshd[1]: Failed password for bob from 10.0.0.9 port 22 ssh2\n',
    );
    await until(() => l.committed() === 1, 'the TLS line');
    const got = await records(log, 'hosts');
    assert.equal(got.length, before + 1);
    assert.equal(got.at(-1)!.outcome, 'failure');

    // Without a client certificate the handshake is refused and nothing is stored.
    const anonymous = tlsConnect({
      port: l.address.port,
      host: '127.0.0.1',
      ca: readFileSync(pki.caFile),
    });
    anonymous.on('error', () => {});
    anonymous.write(
      '<38>Nov 22 09:14:03 web1 sshd[1]: Failed password for eve from 10.0.0.9 port 22 ssh2\n',
    );
    await new Promise((resolve) => anonymous.once('close', resolve));
    assert.equal(l.committed(), 1);
  });

  it('refuses to start without a live key, and stops taking data once the key is revoked', async () => {
    await assert.rejects(start('tcp://127.0.0.1:0?key=0123456789abcdef'), /no ingest key/);
    const other = await createIngestKey(log.store, { now: () => Date.now() }, 'revoked-hosts');
    const l = await start(`tcp://127.0.0.1:0?key=${other.row.id}`);
    await log.store.revokeIngestKey(other.row.id, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 200));
    const socket = netConnect(l.address.port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    assert.equal((await records(log, 'revoked-hosts')).length, 0);
  });

  it('spec errors name what to fix', () => {
    assert.throws(
      () => parseListenerSpec('udp://127.0.0.1:514?key=0123456789abcdef'),
      /tcp or tls/,
    );
    assert.throws(() => parseListenerSpec('tcp://127.0.0.1:514'), /\?key=KEY_ID/);
    assert.throws(() => parseListenerSpec('tcp://127.0.0.1?key=0123456789abcdef'), /port/);
    assert.throws(
      () => parseListenerSpec('tcp://127.0.0.1:514?key=0123456789abcdef&source=x'),
      /unknown parameter "source"/,
    );
    assert.throws(
      () => parseListenerSpec('tcp://127.0.0.1:514?key=0123456789abcdef&client_ca=x'),
      /need tls/,
    );
  });
});

describe('syslog connection backpressure', () => {
  it('pauses the socket at the high-water mark, resumes after commits, retries a failed append', async () => {
    const events: string[] = [];
    const appends: { count: number; release: (ok: boolean) => void }[] = [];
    const connection = new SyslogConnection(
      { pause: () => events.push('pause'), resume: () => events.push('resume') },
      {
        mappers: BUILTIN_MAPPERS,
        source: 'hosts',
        peerIp: '10.0.0.2',
        now: () => Date.parse('2026-11-22T10:00:00Z'),
        append: (records) =>
          new Promise((resolve, reject) => {
            appends.push({
              count: records.length,
              release: (ok) => (ok ? resolve(null) : reject(new Error('store down'))),
            });
          }),
        highWater: 10,
        maxBatch: 4,
        maxInFlight: 1,
        retryDelayMs: 1,
        onError: (e) => events.push(`error: ${(e as Error).message}`),
      },
    );
    connection.push(Buffer.from('<13>1 - h a - - - one\n'.repeat(12)));
    assert.deepEqual(events, ['pause'], 'more than highWater uncommitted: paused at once');
    await until(() => appends.length === 1, 'first append');
    assert.equal(appends[0]!.count, 4);
    appends[0]!.release(false);
    await until(() => appends.length === 2, 'the retry');
    assert.equal(appends[1]!.count, 4, 'the same batch again');
    assert.ok(events.includes('error: store down'));
    appends[1]!.release(true);
    await until(() => appends.length === 3, 'second batch');
    appends[2]!.release(true);
    await until(() => events.includes('resume'), 'resume below half the high-water mark');
    await until(() => appends.length === 4, 'third batch');
    appends[3]!.release(true);
    await connection.idle();
    assert.equal(connection.committed, 12);
  });
});
