/**
 * `evident gateway --config FILE` as a child process: one gateway serving two databases
 * with their own listen address, audit mode and guardrails, one credentials file for both.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { createCredential } from '../../src/gateway/auth/credentials-file.js';
import {
  freePort,
  killAllChildren,
  type ServerProcess,
  startListening,
} from '../support/processes.js';
import { type TestServer, testServer } from '../support/test-server.js';
import { GATEWAY_TESTS, PG_URL, type StoredRecord } from './gateway-harness.js';

describe('evident gateway --config with two databases', { skip: !GATEWAY_TESTS }, () => {
  let t: TestServer;
  let gateway: ServerProcess;
  let ports: [number, number];
  let secret: string;
  const person = `ada-${randomBytes(3).toString('hex')}`;
  const database = new URL(PG_URL).pathname.slice(1);

  before(async () => {
    t = await testServer();
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { authorization } = await t.ingestKey('pg-gateway');
    ({ secret } = createCredential(
      join(t.dir, 'people.json'),
      person,
      3600_000,
      Date.now(),
      randomBytes,
    ));
    ports = [await freePort(), await freePort()];
    const config = join(t.dir, 'gateway.yaml');
    writeFileSync(
      config,
      `url: ${url}
credentials: people.json
databases:
  - name: open
    listen: 127.0.0.1:${ports[0]}
    upstream: ${PG_URL}
    redact: none
  - name: locked
    listen: 127.0.0.1:${ports[1]}
    upstream: ${PG_URL}
    mode: fail_closed
    redact: none
    guardrails:
      - name: no-reads
        statements: [select]
`,
    );
    gateway = await startListening(
      ['gateway', '--config', config],
      { dataDir: t.dir, env: { EVIDENT_KEY: authorization.replace(/^Bearer /, '') } },
      ports[0],
    );
    await gateway.waitFor(new RegExp(`listening on 127.0.0.1:${ports[1]}`));
  });
  after(async () => {
    await gateway?.stop();
    await killAllChildren();
    await t?.close();
  });

  const connect = async (port: number) => {
    const client = new Client({
      host: '127.0.0.1',
      port,
      user: person,
      password: secret,
      database,
    });
    client.on('error', () => {});
    await client.connect();
    return client;
  };

  it('serves each database with its own rules', async () => {
    const open = await connect(ports[0]);
    const locked = await connect(ports[1]);
    assert.equal((await open.query('select 7 as n')).rows[0].n, 7);
    await assert.rejects(locked.query('select 8'), (e: { code?: string }) => e.code === '42501');
    assert.equal(
      (await locked.query('show server_version_num')).rows.length,
      1,
      'session survives',
    );
    await open.end();
    await locked.end();
    // The gateway appends as it goes; stopping it waits for every event to be durable.
    assert.equal((await gateway.stop()).code, 0);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events?actor=${person}&source=pg-gateway&limit=1000`,
      headers: t.admin,
    });
    const records = (res.json().entries as { record: StoredRecord }[])
      .map((e) => e.record)
      .reverse();
    const selects = records.filter((r) => r.action === 'db.select');
    assert.deepEqual(
      selects.map((r) => [r.details.statement, r.outcome, r.details.phase ?? null]),
      [
        ['select 7 as n', 'success', null],
        ['select 8', 'denied', null],
      ],
    );
    assert.equal(selects[1]!.details.guardrail, 'no-reads');
    const shows = records.filter((r) => r.action === 'db.show');
    assert.deepEqual(
      shows.map((r) => [r.outcome, r.details.phase ?? null]),
      [
        ['unknown', 'intent'],
        ['success', null],
      ],
      'fail_closed on the second database only: its intent first',
    );
  });
});
