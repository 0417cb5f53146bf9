import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { startPostgresGateway } from '../../src/gateway/start-postgres-gateway.js';
import { GATEWAY_TESTS, type Harness, PG_URL, startHarness } from './gateway-harness.js';
import { runClient } from './run-client.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';

describe('gateway when the database ends a session or cannot be reached', { skip }, () => {
  let h: Harness;
  let admin: Client;
  before(async () => {
    h = await startHarness();
    admin = new Client({ connectionString: PG_URL });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await h.close();
  });

  /**
   * Ends the upstream backend of a gateway session (or the one of the gateway's sessions
   * running `running`), as a restart or an operator would.
   */
  const terminate = async (session: string | { running: string }) => {
    const [where, value] =
      typeof session === 'string'
        ? ['application_name = $1', `evident/${session}`]
        : [
            "application_name like 'evident/%' and state = 'active' and query = $1",
            session.running,
          ];
    for (let i = 0; i < 100; i++) {
      const r = await admin.query(
        `select pg_terminate_backend(pid) as done from pg_stat_activity where ${where}`,
        [value],
      );
      if (r.rows[0]?.done) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail(`no upstream backend for session ${session}`);
  };
  const sessionOf = async () => {
    const connects = await h.events((e) => e.action === 'db.connect' && e.outcome === 'success');
    return connects[connects.length - 1]!.actor.session!;
  };

  it('a statement running when its backend dies: the client gets 57P01, the event says so', async () => {
    const c = await h.connect();
    const errors: { code?: string }[] = [];
    c.on('error', (e) => errors.push(e as { code?: string }));
    const session = await sessionOf();
    // Caught at once: it fails while the test is still ending the backend.
    const sleeping = c.query('select pg_sleep(30)').then(
      () => undefined,
      (e: { code?: string }) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    await terminate(session);
    assert.equal((await sleeping)?.code, '57P01');
    await assert.rejects(c.query('select 1'));
    const events = await h.events((e) => e.actor.session === session);
    const sleep = events.find((e) => e.details.statement === 'select pg_sleep(30)');
    assert.equal(sleep?.outcome, 'failure');
    assert.equal(sleep?.details.sqlstate, '57P01');
    assert.equal(events.at(-1)?.action, 'db.disconnect');
    assert.equal(events.at(-1)?.reason, 'upstream closed the connection');
  });

  it('an idle session whose backend dies: psql is told why, and the gateway stays up', async () => {
    const c = await h.connect();
    const errors: { code?: string }[] = [];
    c.on('error', (e) => errors.push(e as { code?: string }));
    await terminate(await sessionOf());
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors[0]?.code, '57P01', 'the server FATAL reached the idle client');
    // psql in a loop of statements, its backend ended between two of them.
    const env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(h.port),
      PGUSER: h.person,
      PGPASSWORD: h.secret,
      PGDATABASE: 'test',
    };
    // A text of this test's own, so no other test's backend is ended (the database is shared).
    const sleep = `select pg_sleep(30) as ${h.schema}`;
    const psql = runClient('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sleep], env);
    await terminate({ running: sleep });
    const r = await psql;
    assert.equal(r.code, 2);
    assert.match(r.stderr, /terminating connection due to administrator command/);
    const again = await h.connect();
    assert.equal((await again.query('select 2 as two')).rows[0].two, 2);
  });

  it('a database that cannot be reached: 08006 for each client, the gateway stays up', async () => {
    const gw = await startPostgresGateway({
      host: '127.0.0.1',
      port: 0,
      upstream: 'postgres://postgres@127.0.0.1:1/test',
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
        await assert.rejects(c.connect(), (e: { code?: string; message?: string }) => {
          assert.equal(e.code, '08006');
          assert.match(e.message ?? '', /cannot reach the database/);
          return true;
        });
      }
    } finally {
      await gw.close();
    }
  });
});
