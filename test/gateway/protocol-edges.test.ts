import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cancelRequest } from '../../src/gateway/postgres/message-writer.js';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { build } from './postgres/buffer-builder.js';
import { RawConnection } from './raw-connection.js';

const SSL_REQUEST = build().int32(80877103).join();
const GSSENC_REQUEST = build().int32(80877104).join();
const startup = (user: string, minor = 0, extra: [string, string][] = []) => {
  const b = build()
    .int32((3 << 16) | minor)
    .cstring('user')
    .cstring(user)
    .cstring('database')
    .cstring('test');
  for (const [k, v] of extra) b.cstring(k).cstring(v);
  return b.cstring('').join();
};

describe('gateway connection start and edge cases', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ maxMessageBytes: 1024 * 1024 });
  });
  after(async () => {
    await h.close();
  });

  it('answers GSSENCRequest and SSLRequest with N, then proceeds to SCRAM', async () => {
    const c = await RawConnection.open(h.port);
    c.write(GSSENC_REQUEST);
    assert.equal(await c.byte(), 'N');
    c.write(SSL_REQUEST);
    assert.equal(await c.byte(), 'N');
    c.write(startup(h.person));
    const auth = await c.next();
    assert.ok(auth?.type === 'authentication' && auth.kind === 10, 'AuthenticationSASL');
    assert.match(auth.data.toString(), /SCRAM-SHA-256/);
    c.close();
  });

  it('refuses bytes sent together with the SSLRequest (CVE-2021-23214) with 08P01', async () => {
    const c = await RawConnection.open(h.port);
    c.write(Buffer.concat([SSL_REQUEST, startup(h.person)]));
    assert.equal(await c.byte(), 'N');
    const error = await c.next();
    assert.ok(error?.type === 'error');
    assert.equal(error.fields.get('C'), '08P01');
    assert.match(error.fields.get('M') ?? '', /unencrypted data after SSL request/);
    assert.equal(await c.next(), undefined, 'the connection is closed');
  });

  it('answers a 3.2 startup with unknown _pq_ options by NegotiateProtocolVersion, not FATAL', async () => {
    const c = await RawConnection.open(h.port);
    c.write(startup(h.person, 2, [['_pq_.compression', 'on']]));
    const negotiate = await c.next();
    assert.equal(negotiate?.type, 'negotiateProtocolVersion');
    const raw = negotiate!.raw;
    assert.equal(raw.readInt32BE(5), 3 << 16, 'newest minor version: 3.0');
    assert.equal(raw.readInt32BE(9), 1, 'one unknown option');
    assert.equal(raw.toString('utf8', 13, raw.length - 1), '_pq_.compression');
    const auth = await c.next();
    assert.ok(auth?.type === 'authentication' && auth.kind === 10);
    c.close();
  });

  it('refuses protocol 2.0 and a missing user with a FATAL that says why', async () => {
    const old = await RawConnection.open(h.port);
    old.write(
      build()
        .int32(2 << 16)
        .cstring('user')
        .cstring('x')
        .cstring('')
        .join(),
    );
    const e1 = await old.next();
    assert.ok(e1?.type === 'error' && e1.fields.get('C') === '0A000');
    const nouser = await RawConnection.open(h.port);
    nouser.write(
      build()
        .int32(3 << 16)
        .cstring('database')
        .cstring('test')
        .cstring('')
        .join(),
    );
    const e2 = await nouser.next();
    assert.ok(e2?.type === 'error' && e2.fields.get('C') === '28000');
  });

  it('ends a session that sends an oversized message with 08P01 and records the reason', async () => {
    const client = await h.connect();
    const big = 'x'.repeat(2 * 1024 * 1024);
    await assert.rejects(client.query(`select '${big}'`));
    const events = await h.events((e) => e.action === 'db.disconnect');
    assert.match(events[events.length - 1]?.reason ?? '', /exceeds the limit of 1048576 bytes/);
  });

  it('maps a cancel to the upstream key: pg_sleep(30) ends with 57014 within a second', async () => {
    const client = await h.connect();
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    const started = Date.now();
    const sleeping = client.query('select pg_sleep(30)');
    await new Promise((r) => setTimeout(r, 200));
    const key = Buffer.alloc(4);
    key.writeInt32BE(secretKey);
    const s = connect({ host: '127.0.0.1', port: h.port }, () =>
      s.end(cancelRequest(processID, key)),
    );
    await assert.rejects(sleeping, (e: { code?: string }) => e.code === '57014');
    assert.ok(Date.now() - started < 5000, 'cancelled long before 30 s');
    // The session survives a cancel.
    assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
    const events = await h.events(statementsOnly);
    const sleep = events.find((e) => e.details.statement === 'select pg_sleep(30)');
    assert.equal(sleep?.outcome, 'failure');
    assert.equal(sleep?.details.sqlstate, '57014');
  });

  it('ignores a cancel with a wrong key', async () => {
    const client = await h.connect();
    const { processID } = client as unknown as { processID: number };
    const s = connect({ host: '127.0.0.1', port: h.port }, () =>
      s.end(cancelRequest(processID, Buffer.from([1, 2, 3, 4]))),
    );
    const r = await client.query('select pg_sleep(0.3) as slept');
    assert.equal(r.rowCount, 1);
  });
});
