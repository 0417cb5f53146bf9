import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import {
  type RunningGateway,
  startPostgresGateway,
} from '../../src/gateway/start-postgres-gateway.js';
import { call, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';
import { GATEWAY_TESTS, PG_URL, type StoredRecord } from './gateway-harness.js';

const UPSTREAM_ROLE = new URL(PG_URL).username;
const DATABASE = new URL(PG_URL).pathname.slice(1);

/**
 * The gateway with credentials and policy from the Evident server: a person mints their
 * own credential after sign-in, an admin grants the database, the gateway (a service with
 * the gateway role) fetches both. Revocation and a withdrawn grant end the session between
 * statements; a person without a grant is refused after authenticating.
 */
describe('gateway with credentials and policy from Evident', { skip: !GATEWAY_TESTS }, () => {
  let t: TestServer;
  let gateway: RunningGateway;
  let ada: TestPrincipal;
  let bob: TestPrincipal;
  let admin: TestPrincipal;
  const secrets = new Map<string, string>();
  let grantId: string;
  const clients: Client[] = [];

  const mint = async (who: TestPrincipal) => {
    const res = await call(t, 'POST', '/api/v1/gateway/credentials', who.headers, {
      expires_in_hours: 8,
    });
    assert.equal(res.statusCode, 201, res.body);
    secrets.set(who.name, res.json().secret);
    return res.json().id as string;
  };
  const grantAda = async () => {
    const res = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      person: 'ada',
      database: DATABASE,
      upstream_role: UPSTREAM_ROLE,
    });
    assert.equal(res.statusCode, 201, res.body);
    grantId = res.json().id;
  };
  const connect = async (who: TestPrincipal) => {
    const client = new Client({
      host: '127.0.0.1',
      port: gateway.port,
      user: who.name,
      password: secrets.get(who.name)!,
      database: DATABASE,
    });
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    return client;
  };
  /** Lets the gateway fetch the change, then moves past the session's check interval. */
  const synced = async () => {
    await sleep(300);
    t.clock.advance(2000);
  };
  const events = async (actor: string): Promise<StoredRecord[]> => {
    await gateway.audit.drained();
    const res = await call(
      t,
      'GET',
      `/api/v1/events?actor=${encodeURIComponent(actor)}&limit=1000`,
      t.admin,
    );
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().entries as { record: StoredRecord }[]).map((e) => e.record).reverse();
  };

  before(async () => {
    t = await testServer();
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { authorization } = await t.ingestKey('pg-gateway');
    ada = await t.principal({ name: 'ada' });
    bob = await t.principal({ name: 'bob' });
    admin = await t.principal({ name: 'root', roles: ['admin'] });
    const service = await t.principal({ name: 'gw', kind: 'service', roles: ['gateway'] });
    await mint(ada);
    await mint(bob);
    await grantAda();
    gateway = await startPostgresGateway({
      host: '127.0.0.1',
      port: 0,
      upstream: PG_URL,
      url,
      key: authorization.replace(/^Bearer /, ''),
      credentials: {
        syncToken: service.authorization.replace(/^Bearer /, ''),
        refreshMs: 50,
      },
      mode: 'observe',
      redaction: 'none',
      clock: t.clock,
      log: () => {},
    });
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await gateway?.close();
    await t?.close();
  });

  it('a granted person connects with the credential they minted; events name their account', async () => {
    const c = await connect(ada);
    assert.equal((await c.query('select 41 + 1 as n')).rows[0].n, 42);
    const mine = await events(ada.id);
    const statement = mine.find((e) => e.action === 'db.select')!;
    assert.equal(statement.details.statement, 'select 41 + 1 as n');
    assert.equal((statement.actor as { name?: string }).name, 'ada');
    assert.ok(
      mine.some((e) => e.action === 'gateway_credential.create'),
      'beside their other events: one search by person shows both',
    );
  });

  it('a person with a credential but no grant is refused after authenticating (42501)', async () => {
    await assert.rejects(connect(bob), (e: { code?: string; message: string }) => {
      assert.equal(e.code, '42501');
      assert.match(e.message, /permission denied for database/);
      return true;
    });
    const refused = (await events(bob.id)).find((e) => e.action === 'db.connect')!;
    assert.equal(refused.outcome, 'denied');
    assert.match(refused.reason ?? '', /no gateway grant/);
  });

  it('a wrong secret fails like PostgreSQL (28P01)', async () => {
    const client = new Client({
      host: '127.0.0.1',
      port: gateway.port,
      user: 'ada',
      password: 'evg_wrong',
      database: DATABASE,
    });
    client.on('error', () => {});
    await assert.rejects(client.connect(), (e: { code?: string }) => e.code === '28P01');
  });

  it('a withdrawn grant ends the session before its next statement', async () => {
    const c = await connect(ada);
    await c.query('select 1');
    const removed = await call(t, 'DELETE', `/api/v1/gateway/grants/${grantId}`, admin.headers);
    assert.equal(removed.statusCode, 200, removed.body);
    await synced();
    await assert.rejects(c.query('select 2'), /access withdrawn by the policy/);
    await grantAda();
    await synced();
  });

  it('revoking through the API ends the session before its next statement', async () => {
    const c = await connect(ada);
    await c.query('select 3');
    const own = (await call(t, 'GET', '/api/v1/gateway/credentials', ada.headers)).json();
    const live = own.credentials.find((x: { status: string }) => x.status === 'active');
    const res = await call(t, 'DELETE', `/api/v1/gateway/credentials/${live.id}`, ada.headers);
    assert.equal(res.statusCode, 200, res.body);
    await synced();
    await assert.rejects(c.query('select 4'), /credential revoked/);
    const ended = (await events(ada.id)).filter((e) => e.action === 'db.disconnect');
    assert.equal(ended.at(-1)?.reason, 'credential revoked');
    await assert.rejects(connect(ada), (e: { code?: string }) => e.code === '28P01');
  });

  it('a new credential replaces the old one: the old one no longer signs in', async () => {
    const old = secrets.get('ada')!;
    await mint(ada);
    await synced();
    const c = await connect(ada);
    assert.equal((await c.query('select 5 as n')).rows[0].n, 5);
    secrets.set('ada', old);
    await assert.rejects(connect(ada), (e: { code?: string }) => e.code === '28P01');
  });
});
