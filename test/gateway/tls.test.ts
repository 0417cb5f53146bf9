import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { cancelRequest } from '../../src/gateway/postgres/message-writer.js';
import { startPostgresGateway } from '../../src/gateway/start-postgres-gateway.js';
import { makeTestPki, type TestPki } from '../support/test-ca.js';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { build } from './postgres/buffer-builder.js';
import { RawConnection } from './raw-connection.js';
import { runClient } from './run-client.js';
import { startTlsUpstream, type TlsUpstream } from './tls-terminating-upstream.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';
const SSL_REQUEST = build().int32(80877103).join();

describe('gateway TLS for clients', { skip }, () => {
  let h: Harness;
  let pki: TestPki;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evident-gw-tls-'));
    pki = makeTestPki(dir);
    h = await startHarness({
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey, require: true },
    });
    env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(h.port),
      PGUSER: h.person,
      PGPASSWORD: h.secret,
      PGDATABASE: 'test',
    };
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('psql with sslmode=verify-full checks the gateway certificate and runs its statements', async () => {
    const r = await runClient('psql', ['-X', '-At', '-c', 'select 40 + 2'], {
      ...env,
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: pki.caFile,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '42');
    const connects = await h.events((e) => e.action === 'db.connect' && e.outcome === 'success');
    assert.match(String(connects[0]?.details.client_tls), /^TLSv1\.[23]$/);
    assert.equal(connects[0]?.details.upstream_tls, 'none');
    const statements = await h.events(statementsOnly);
    assert.deepEqual(
      statements.map((e) => [e.action, e.outcome, e.details.statement]),
      [['db.select', 'success', 'select 40 + 2']],
    );
  });

  it('refuses a client in the clear with 28000 when TLS is required, and records it', async () => {
    const r = await runClient('psql', ['-X', '-At', '-c', 'select 1'], {
      ...env,
      PGSSLMODE: 'disable',
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the gateway requires TLS/);
    const refused = await h.events((e) => e.action === 'db.connect' && e.outcome === 'failure');
    assert.match(refused[refused.length - 1]?.reason ?? '', /did not use TLS/);
  });

  it("refuses bytes sent together with the SSLRequest (CVE-2021-23214) after answering 'S'", async () => {
    const c = await RawConnection.open(h.port);
    const startup = build()
      .int32(3 << 16)
      .cstring('user')
      .cstring(h.person)
      .cstring('')
      .join();
    c.write(Buffer.concat([SSL_REQUEST, startup]));
    assert.equal(await c.byte(), 'S');
    const error = await c.next();
    assert.ok(error?.type === 'error');
    assert.equal(error.fields.get('C'), '08P01');
    assert.match(error.fields.get('M') ?? '', /unencrypted data after SSL request/);
    assert.equal(await c.next(), undefined, 'the connection is closed');
  });
});

describe('gateway TLS upstream (sslmode=verify-full)', { skip }, () => {
  let h: Harness;
  let pki: TestPki;
  let other: TestPki;
  let dir: string;
  let upstream: TlsUpstream;
  const upstreamUrl = (host: string, ca: string) =>
    `postgres://postgres@${host}:${upstream.port}/test?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evident-gw-tls-up-'));
    pki = makeTestPki(join(dir, '.'));
    other = makeTestPki(mkdtempSync(join(dir, 'other-')));
    const { readFileSync } = await import('node:fs');
    upstream = await startTlsUpstream(
      readFileSync(pki.serverCert, 'utf8'),
      readFileSync(pki.serverKey, 'utf8'),
      { host: '127.0.0.1', port: 5432 },
    );
    h = await startHarness({ upstream: upstreamUrl('127.0.0.1', pki.caFile) });
  });
  after(async () => {
    await h.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects upstream over verified TLS, and sends cancels over TLS too', async () => {
    const c = await h.connect();
    assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
    assert.equal(upstream.sessions.length, 1);
    assert.match(upstream.sessions[0]!, /^TLSv1\.[23]$/);
    const connects = await h.events((e) => e.action === 'db.connect' && e.outcome === 'success');
    assert.equal(connects[0]?.details.upstream_tls, upstream.sessions[0]);
    const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
    const sleeping = c.query('select pg_sleep(30)');
    await new Promise((r) => setTimeout(r, 200));
    const key = Buffer.alloc(4);
    key.writeInt32BE(secretKey);
    const s = connect({ host: '127.0.0.1', port: h.port }, () =>
      s.end(cancelRequest(processID, key)),
    );
    await assert.rejects(sleeping, (e: { code?: string }) => e.code === '57014');
    assert.equal(upstream.sessions.length, 2, 'the cancel went through the TLS upstream');
  });

  for (const [name, url, detail] of [
    [
      'a host name the certificate does not carry',
      () => upstreamUrl('localhost', pki.caFile),
      /localhost/,
    ],
    ['a certificate from another CA', () => upstreamUrl('127.0.0.1', other.caFile), /certificate/],
    [
      'a server that does not speak TLS',
      () => 'postgres://postgres@127.0.0.1:5432/test?sslmode=verify-full',
      /does not accept TLS/,
    ],
  ] as const)
    it(`refuses ${name}: the client gets 08006, the gateway stays up`, async () => {
      const gw = await startPostgresGateway({
        host: '127.0.0.1',
        port: 0,
        upstream: url(),
        url: 'http://127.0.0.1:1',
        key: 'unused',
        credentials: h.credentialsFile,
        mode: 'observe',
        post: async () => {},
        log: () => {},
      });
      try {
        for (let i = 0; i < 2; i++) {
          const c = new Client({
            host: '127.0.0.1',
            port: gw.port,
            user: h.person,
            password: h.secret,
            database: 'test',
          });
          await assert.rejects(c.connect(), (e: { code?: string; detail?: string }) => {
            assert.equal(e.code, '08006');
            assert.match(e.detail ?? '', detail);
            return true;
          });
        }
      } finally {
        await gw.close();
      }
    });
});
