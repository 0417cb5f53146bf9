/**
 * `evident gateway --config FILE` reloads its file on SIGHUP, as a real process: a new
 * database starts listening, a removed one stops accepting while its live session goes on,
 * changed guardrails and redaction apply to a live session's next statement, and a file that
 * does not parse is refused with the old configuration kept.
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

describe('evident gateway --config reloads on SIGHUP', { skip: !GATEWAY_TESTS }, () => {
  let t: TestServer;
  let gateway: ServerProcess;
  let config: string;
  let url: string;
  let secret: string;
  let ports: [number, number];
  const person = `ada-${randomBytes(3).toString('hex')}`;
  const database = new URL(PG_URL).pathname.slice(1);

  const entry = (name: string, port: number, extra = '') =>
    `  - name: ${name}\n    listen: 127.0.0.1:${port}\n    upstream: ${PG_URL}\n${extra}`;
  const writeConfig = (...databases: string[]) =>
    writeFileSync(
      config,
      `url: ${url}\ncredentials: people.json\ndatabases:\n${databases.join('')}`,
    );

  /** Sends SIGHUP and waits for the gateway to say how the n-th reload went. */
  const reload = async (n: number): Promise<string> => {
    process.kill(gateway.pid, 'SIGHUP');
    const outcome = /evident gateway: (reloaded|reload refused)[^\n]*/g;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = gateway.output().match(outcome) ?? [];
      if (lines.length >= n) return lines[n - 1]!;
      if (Date.now() > deadline) throw new Error(`no reload answer ${n}\n${gateway.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

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

  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { authorization } = await t.ingestKey('pg-gateway');
    ({ secret } = createCredential(
      join(t.dir, 'people.json'),
      person,
      3600_000,
      Date.now(),
      randomBytes,
    ));
    ports = [await freePort(), await freePort()];
    config = join(t.dir, 'gateway.yaml');
    writeConfig(entry('first', ports[0], '    redact: none\n'));
    gateway = await startListening(
      ['gateway', '--config', config],
      { dataDir: t.dir, env: { EVIDENT_KEY: authorization.replace(/^Bearer /, '') } },
      ports[0],
    );
  });
  after(async () => {
    await gateway?.stop();
    await killAllChildren();
    await t?.close();
  });

  it('starts, stops and changes databases without ending live sessions', async () => {
    const live = await connect(ports[0]);
    assert.equal((await live.query('select 41 + 1 as n')).rows[0].n, 42);

    // A guardrail and another redaction for the first database, and a second database.
    writeConfig(
      entry(
        'first',
        ports[0],
        '    redact: literals\n    guardrails:\n      - name: no-reads\n        statements: [select]\n',
      ),
      entry('second', ports[1], '    redact: none\n'),
    );
    assert.match(await reload(1), /reloaded .*1 updated; started second/);
    await assert.rejects(
      live.query('select 43'),
      (e: { code?: string; message?: string }) =>
        e.code === '42501' && /guardrail "no-reads"/.test(e.message ?? ''),
      'the live session follows the new guardrail from its next statement',
    );
    const second = await connect(ports[1]);
    assert.equal((await second.query('select 7 as n')).rows[0].n, 7);

    // A file that does not parse changes nothing.
    writeFileSync(config, 'databases: [ {listen: 127.0.0.1:1\n');
    assert.match(
      await reload(2),
      /reload refused, the running configuration stays: .*gateway\.yaml/,
    );
    const again = await connect(ports[1]);
    assert.equal((await again.query('select 8 as n')).rows[0].n, 8);
    await again.end();

    // The first database removed: no new sessions there, the live one goes on.
    writeConfig(entry('second', ports[1], '    redact: none\n'));
    assert.match(await reload(3), /reloaded .*stopped accepting first \(live sessions go on\)/);
    await assert.rejects(connect(ports[0]), (e: { code?: string }) => e.code === 'ECONNREFUSED');
    assert.equal((await live.query('show server_version_num')).rows.length, 1);
    await live.end();
    await second.end();

    assert.equal((await gateway.stop()).code, 0, gateway.output());
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events?actor=${person}&source=pg-gateway&limit=1000`,
      headers: t.admin,
    });
    const records = (res.json().entries as { record: StoredRecord }[]).map((e) => e.record);
    const liveSession = records.find((r) => r.details.statement === 'select 41 + 1 as n')!.details
      .session;
    const ofLive = records
      .filter((r) => r.details.session === liveSession && r.action !== 'db.connect')
      .reverse();
    assert.deepEqual(
      ofLive.map((r) => [
        r.action,
        r.outcome,
        r.details.statement ?? null,
        r.details.redaction ?? null,
        r.details.guardrail ?? null,
      ]),
      [
        ['db.select', 'success', 'select 41 + 1 as n', null, null],
        ['db.select', 'denied', 'select $1', 'literals', 'no-reads'],
        ['db.show', 'success', 'show server_version_num', 'literals', null],
        ['db.disconnect', 'success', null, null, null],
      ],
    );
    const seconds = records.filter(
      (r) => r.action === 'db.select' && r.details.session !== liveSession,
    );
    assert.deepEqual(seconds.map((r) => r.details.statement).sort(), [
      'select 7 as n',
      'select 8 as n',
    ]);
  });
});
