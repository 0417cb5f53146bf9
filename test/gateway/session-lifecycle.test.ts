import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { revokeCredential } from '../../src/gateway/auth/credentials-file.js';
import { startPostgresGateway } from '../../src/gateway/start-postgres-gateway.js';
import {
  GATEWAY_TESTS,
  type Harness,
  PG_URL,
  startHarness,
  statementsOnly,
} from './gateway-harness.js';
import { build } from './postgres/buffer-builder.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';

describe('gateway session lifecycle', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ queueCapacity: 1 });
  });
  after(async () => {
    await h.close();
  });

  it('with a queue of one event, clients wait and nothing is dropped', async () => {
    const c = await h.connect();
    for (let i = 0; i < 30; i++) await c.query('select $1::int as i', [i]);
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => e.details.parameters?.[0]),
      Array.from({ length: 30 }, (_, i) => String(i)),
    );
    await c.end();
  });

  it('a client gone mid-COPY: the COPY is recorded (failed upstream), the session ends', async () => {
    const setup = await h.connect();
    await setup.query(`create table ${h.schema}.c (a int)`);
    // pg authenticates; then the test sends half a COPY on its socket and drops it.
    const c = await h.connect();
    const stream = (c as unknown as { connection: { stream: import('node:net').Socket } })
      .connection.stream;
    const copying = c.query(`copy ${h.schema}.c from stdin`).catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    stream.write(build().add(Buffer.from('1\n')).join('d'));
    stream.destroy();
    await copying;
    await new Promise((r) => setTimeout(r, 300));
    const rows = await setup.query(`select count(*)::int as n from ${h.schema}.c`);
    assert.equal(rows.rows[0].n, 0, 'the half-sent COPY did not commit');
    const events = await h.events();
    const copy = events.find((e) => e.action === 'db.copy_in');
    assert.ok(copy, 'the COPY has its event');
    assert.notEqual(copy.outcome, 'success');
    const ended = events.filter(
      (e) => e.action === 'db.disconnect' && e.actor.session === copy.actor.session,
    );
    assert.equal(ended.length, 1);
  });

  it('a revoked credential ends the session before its next statement, not during one', async () => {
    const c = await h.connect();
    await c.query('select 1');
    revokeCredential(h.credentialsFile, h.person, Date.now());
    await new Promise((r) => setTimeout(r, 1100));
    await assert.rejects(c.query('select 2'), /credential revoked/);
    await assert.rejects(h.connect(), (e: { code?: string }) => e.code === '28P01');
    const events = await h.events();
    const selects = events.filter((e) => e.details.statement === 'select 2');
    assert.equal(selects.length, 0, 'the refused statement never ran');
    const ended = events.filter((e) => e.action === 'db.disconnect');
    assert.equal(ended[ended.length - 1]?.reason, 'credential revoked');
  });
});

describe('gateway in fail_closed mode', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ mode: 'fail_closed' });
  });
  after(async () => {
    await h.close();
  });

  it('appends each statement before forwarding it, then its outcome', async () => {
    const c = await h.connect();
    await c.query(`create table ${h.schema}.f (a int)`);
    await c.query(`insert into ${h.schema}.f values ($1)`, [7]);
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.details.phase ?? 'result']),
      [
        ['db.ddl', 'unknown', 'intent'],
        ['db.ddl', 'success', 'result'],
        ['db.insert', 'unknown', 'intent'],
        ['db.insert', 'success', 'result'],
      ],
    );
    assert.deepEqual(events[2]?.details.parameters, ['7']);
  });

  it('does not run a statement until the log has made its event durable', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const posted: { action: string }[][] = [];
    const gw = await startPostgresGateway({
      host: '127.0.0.1',
      port: 0,
      upstream: PG_URL,
      url: 'http://127.0.0.1:1',
      key: 'unused',
      credentials: h.credentialsFile,
      mode: 'fail_closed',
      post: async (events) => {
        if (events.some((e) => (e as { action: string }).action === 'db.insert')) await gate;
        posted.push(events as { action: string }[]);
      },
      log: () => {},
    });
    const direct = new Client({ connectionString: PG_URL });
    await direct.connect();
    await direct.query(`create table ${h.schema}.g (a int)`);
    const c = new Client({
      host: '127.0.0.1',
      port: gw.port,
      user: h.person,
      password: h.secret,
      database: 'test',
    });
    await c.connect();
    const pending = c.query(`insert into ${h.schema}.g values (1)`);
    await new Promise((r) => setTimeout(r, 300));
    const count = async () =>
      (await direct.query(`select count(*)::int as n from ${h.schema}.g`)).rows[0].n;
    assert.equal(await count(), 0, 'held while its event is not durable');
    open();
    await pending;
    assert.equal(await count(), 1, 'ran once its event was durable');
    await c.end();
    await direct.end();
    await gw.close();
    assert.ok(posted.flat().some((e) => e.action === 'db.insert'));
  });
});
