import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { runClient } from './run-client.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';
const SECRETS = ['s3cret-param', 'hunter2-literal', 'typo-secret', '4242'];

describe('gateway redaction, default policy (literals)', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ redaction: 'default' });
  });
  after(async () => {
    await h.close();
  });

  it('replaces constants by $n and bind parameters by a marker (extended and simple protocol)', async () => {
    const c = await h.connect();
    const t = `${h.schema}.accounts`;
    await c.query(`create table ${t} (id int, secret text, note text)`);
    // Extended protocol (pg sends Parse/Bind/Execute when there are parameters).
    await c.query(`insert into ${t} values ($1, $2, $3), (4242, 'hunter2-literal', null)`, [
      1,
      's3cret-param',
      null,
    ]);
    await c.query(`select * from ${t} where secret = 'hunter2-literal'`);
    await assert.rejects(
      c.query("selec 'typo-secret'"),
      (e: { code?: string }) => e.code === '42601',
    );
    const psql = await runClient(
      'psql',
      ['-X', '-q', '-c', `update ${t} set note = 'x' where id = 4242`],
      {
        PGHOST: '127.0.0.1',
        PGPORT: String(h.port),
        PGUSER: h.person,
        PGPASSWORD: h.secret,
        PGDATABASE: 'test',
      },
    );
    assert.equal(psql.code, 0, psql.stderr);
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [e.action, e.details.statement, e.details.parameters ?? null]),
      [
        ['db.ddl', `create table ${t} (id int, secret text, note text)`, null],
        [
          'db.insert',
          `insert into ${t} values ($1, $2, $3), ($4, $5, $6)`,
          ['[redacted]', '[redacted]', null],
        ],
        ['db.select', `select * from ${t} where secret = $1`, null],
        ['db.unparsed', '(statement not parsed; redacted)', null],
        ['db.update', `update ${t} set note = $1 where id = $2`, null],
      ],
    );
    assert.ok(events.every((e) => e.details.redaction === 'literals'));
    assert.equal(events[1]?.details.rows, 2, 'the statement still ran with its values');
    const logged = JSON.stringify(events);
    for (const secret of SECRETS)
      assert.ok(!logged.includes(secret), `${secret} is not in the log`);
  });
});

describe('gateway redaction, policy all', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ redaction: 'all' });
  });
  after(async () => {
    await h.close();
  });

  it('keeps no statement text, parameter or error message: fingerprint, verb, tables, SQLSTATE', async () => {
    const c = await h.connect();
    const t = `${h.schema}.people`;
    await c.query(`create table ${t} (id int primary key, name text)`);
    await c.query(`insert into ${t} values ($1, $2)`, [1, 's3cret-param']);
    await c.query(`insert into ${t} values ($1, $2)`, [2, 'hunter2-literal']);
    await assert.rejects(
      c.query(`insert into ${t} values ($1, $2)`, [1, 'typo-secret']),
      (e: { code?: string }) => e.code === '23505',
    );
    const events = await h.events(statementsOnly);
    const inserts = events.filter((e) => e.action === 'db.insert');
    assert.equal(inserts.length, 3);
    for (const e of inserts) {
      assert.equal(e.details.statement, undefined);
      assert.equal(e.details.parameters, undefined);
      assert.equal(e.details.parameter_count, 2);
      assert.deepEqual(e.details.tables, [t]);
      assert.match(e.details.statement_fingerprint ?? '', /^[0-9a-f]{16}$/);
    }
    assert.equal(new Set(inserts.map((e) => e.details.statement_fingerprint)).size, 1);
    assert.deepEqual(
      inserts.map((e) => [e.outcome, e.details.sqlstate ?? null, e.reason ?? null]),
      [
        ['success', null, null],
        ['success', null, null],
        ['failure', '23505', null],
      ],
    );
    const logged = JSON.stringify(events);
    for (const secret of SECRETS)
      assert.ok(!logged.includes(secret), `${secret} is not in the log`);
  });
});
