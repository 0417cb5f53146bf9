import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { selfSignedCertificate } from '../support/certificates.js';
import { CLI_MAIN, repoRoot, tempDir } from '../support/processes.js';
import { call, event, type TestServer, testServer } from '../support/test-server.js';

/** `evident forward …` as a child process, killed (SIGKILL) or stopped (SIGTERM) by the test. */
function startForwarder(
  args: string[],
  token: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'forward', ...args], {
    cwd: repoRoot,
    env: { ...process.env, EVIDENT_TOKEN: token, EVIDENT_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  return { child, output: () => output };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill(signal);
  return exited;
}

/** A TCP (or TLS) syslog receiver: RFC 6587 octet-counted frames; the JSON after the header. */
function syslogReceiver(tls?: { key: string; cert: string }): Promise<{
  server: Server;
  port: number;
  messages: string[];
  dropNext: () => void;
}> {
  const messages: string[] = [];
  let drop = false;
  const handler = (socket: Socket) => {
    if (drop) {
      // Reads nothing and resets: whatever the forwarder wrote is lost and must come again.
      drop = false;
      socket.resetAndDestroy();
      return;
    }
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  };
  const server = tls ? createTlsServer(tls, handler) : createTcpServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        messages,
        dropNext: () => {
          drop = true;
        },
      }),
    ),
  );
}

describe('evident forward', () => {
  const dir = tempDir('evident-forward-');
  let t: TestServer;
  let url: string;
  let token: string;
  let ingest: { authorization: string };
  let appended = 0;
  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    token = (await t.principal({ roles: ['auditor'], kind: 'service' })).authorization.slice(7);
    ingest = await t.ingestKey('billing-api');
  });
  after(async () => {
    t.app.server.closeAllConnections();
    await t.close();
  });

  const append = async (n: number) => {
    for (let done = 0; done < n; done += 50) {
      const batch = Array.from({ length: Math.min(50, n - done) }, (_, i) =>
        event({ action: (appended + done + i) % 3 === 0 ? 'session.sign_in' : 'customer.read' }),
      );
      const res = await call(t, 'POST', '/api/v1/events', ingest, batch);
      assert.equal(res.statusCode, 201);
    }
    appended += n;
  };
  const head = async () => (await t.log.store.head())!.size;
  const readCursorFile = (path: string) => Number(readFileSync(path, 'utf8').trim());

  it('delivers every seq over HTTPS across a SIGKILL and restart, duplicates only past the cursor', async () => {
    const tls = selfSignedCertificate(dir);
    const received: number[] = [];
    let posts = 0;
    const receiver = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        posts++;
        // The second POST is refused: the forwarder must send that batch again.
        if (posts === 2) {
          res.writeHead(503).end();
          return;
        }
        for (const line of body.split('\n')) {
          if (line) received.push(JSON.parse(line).metadata.sequence);
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const to = `https://127.0.0.1:${(receiver.address() as AddressInfo).port}/ingest`;
    const cursor = join(dir, 'https.cursor');
    await append(400);
    const args = [
      '--to',
      to,
      '--cursor',
      cursor,
      '--ca',
      tls.certFile,
      '--url',
      url,
      '--batch-size',
      '50',
    ];
    const first = startForwarder(args, token);
    await until(() => received.length >= 150, `150 deliveries\n${first.output()}`);
    await kill(first.child, 'SIGKILL');
    const acknowledged = readCursorFile(cursor);
    const beforeRestart = received.length;
    await append(200);
    const second = startForwarder(args, token);
    // Both forwarders' streams are audited: the log grows by their events too.
    await until(
      () => new Set(received).size >= appended,
      `all ${appended} events\n${second.output()}`,
    );
    assert.equal(await kill(second.child, 'SIGTERM'), 0, second.output());
    receiver.close();

    const size = await head();
    const unique = new Set(received);
    for (let seq = 0; seq <= Math.max(...received); seq++)
      assert.ok(unique.has(seq), `seq ${seq} skipped`);
    assert.ok(Math.max(...received) >= appended - 1);
    assert.ok(size >= unique.size);
    // Anything received twice came after the cursor the killed forwarder had written.
    const seen = new Set<number>();
    for (const [i, seq] of received.entries()) {
      if (seen.has(seq)) {
        assert.ok(
          seq > acknowledged,
          `seq ${seq} repeated though acknowledged (cursor ${acknowledged})`,
        );
        assert.ok(i >= beforeRestart, 'duplicates only across the crash');
      }
      seen.add(seq);
    }
    assert.ok(posts >= 3);
  });

  it('delivers every seq to a TCP syslog receiver across a dropped connection and a SIGKILL', async () => {
    const rx = await syslogReceiver();
    const cursor = join(dir, 'syslog.cursor');
    const args = [
      '--to',
      `syslog+tcp://127.0.0.1:${rx.port}`,
      '--cursor',
      cursor,
      '--url',
      url,
      '--format',
      'ndjson',
      '--batch-size',
      '40',
    ];
    const seqs = () => rx.messages.map((m) => JSON.parse(m.slice(m.indexOf('{'))).seq as number);
    const first = startForwarder(args, token);
    await until(() => rx.messages.length >= 40, `first batch\n${first.output()}`);
    rx.dropNext();
    await append(100);
    await until(() => new Set(seqs()).size >= appended, `after a drop\n${first.output()}`);
    await kill(first.child, 'SIGKILL');
    await append(100);
    const second = startForwarder(args, token);
    await until(() => new Set(seqs()).size >= appended + 1, `after restart\n${second.output()}`);
    assert.equal(await kill(second.child, 'SIGTERM'), 0);
    rx.server.close();

    const unique = new Set(seqs());
    for (let seq = 0; seq <= Math.max(...unique); seq++)
      assert.ok(unique.has(seq), `seq ${seq} skipped`);
    // RFC 5424 header, facility 13 (log audit), octet-counted.
    assert.match(rx.messages[0]!, /^<1(09|10)>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ evident - audit - \{/);
    assert.match(first.output(), /dropped the connection|ECONNRESET|delivery failed/);
  });

  it('delivers over syslog+tls, verifying the receiver against --ca', async () => {
    const tls = selfSignedCertificate(tempDir('evident-forward-tls-'));
    const rx = await syslogReceiver(tls);
    const cursor = join(dir, 'tls.cursor');
    const forwarder = startForwarder(
      [
        '--to',
        `syslog+tls://127.0.0.1:${rx.port}`,
        '--cursor',
        cursor,
        '--ca',
        tls.certFile,
        '--url',
        url,
      ],
      token,
    );
    await until(
      () => rx.messages.length >= appended,
      `${appended} messages\n${forwarder.output()}`,
    );
    assert.equal(await kill(forwarder.child, 'SIGTERM'), 0);
    rx.server.close();
    const seqs = rx.messages.map(
      (m) => JSON.parse(m.slice(m.indexOf('{'))).metadata.sequence as number,
    );
    assert.deepEqual(
      seqs.slice(0, appended),
      seqs.slice(0, appended).map((_, i) => i),
    );
    assert.ok(readCursorFile(cursor) >= appended - 1);

    // Without the CA the receiver's certificate is refused: nothing is delivered or acknowledged.
    const rx2 = await syslogReceiver(tls);
    const untrusted = startForwarder(
      [
        '--to',
        `syslog+tls://127.0.0.1:${rx2.port}`,
        '--cursor',
        join(dir, 'untrusted.cursor'),
        '--url',
        url,
      ],
      token,
    );
    await until(() => /self-signed|certificate/i.test(untrusted.output()), 'a certificate error');
    assert.equal(await kill(untrusted.child, 'SIGTERM'), 0);
    rx2.server.close();
    assert.equal(rx2.messages.length, 0);
  });

  it('refuses a bad receiver URL, a missing token and a token without events.export', async () => {
    const bad = startForwarder(
      ['--to', 'ftp://x', '--cursor', join(dir, 'c'), '--url', url],
      token,
    );
    assert.notEqual(await new Promise((resolve) => bad.child.once('exit', resolve)), 0);
    assert.match(bad.output(), /scheme must be https, syslog\+tls or syslog\+tcp/);
    const reviewer = (await t.principal({ roles: ['reviewer'] })).authorization.slice(7);
    const denied = startForwarder(
      ['--to', 'syslog+tcp://127.0.0.1:9', '--cursor', join(dir, 'd'), '--url', url],
      reviewer,
    );
    assert.notEqual(await new Promise((resolve) => denied.child.once('exit', resolve)), 0);
    assert.match(denied.output(), /403/);
  });
});
