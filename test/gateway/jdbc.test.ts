import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { runClient } from './run-client.js';

/** Debian's libpostgresql-jdbc-java (.ci/run installs it, with the JDK's javac). */
const JDBC_JAR = '/usr/share/java/postgresql.jar';
const SOURCE = join(import.meta.dirname, 'jdbc', 'GatewayJdbc.java');

describe('gateway with JDBC (pgjdbc, prepareThreshold=1, fetch size inside a transaction)', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    assert.ok(
      existsSync(JDBC_JAR),
      `${JDBC_JAR} is missing: apt-get install libpostgresql-jdbc-java`,
    );
    dir = mkdtempSync(join(tmpdir(), 'evident-gw-jdbc-'));
    const javac = await runClient('javac', ['-cp', JDBC_JAR, '-d', dir, SOURCE], {});
    assert.equal(javac.code, 0, javac.stderr);
    h = await startHarness();
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records every prepared statement once, with its parameters, rows and the person', async () => {
    const run = await runClient(
      'java',
      ['-cp', `${dir}:${JDBC_JAR}`, 'GatewayJdbc', String(h.port), h.person, h.secret, h.schema],
      {},
    );
    assert.equal(run.code, 0, run.stderr);
    const events = await h.events(statementsOnly);
    const session = events[0]?.actor.session;
    // assumeMinServerVersion=10: pgjdbc puts application_name in the startup packet (where
    // the gateway sets its own) instead of a SET after connecting.
    assert.equal(run.stdout, `application_name evident/${session}\nrows 3\n`);
    assert.ok(events.every((e) => e.actor.id === h.person && e.outcome === 'success'));
    assert.ok(events.every((e) => e.actor.session === session));
    const own = events.filter(
      (e) => e.details.statement !== "select current_setting('application_name')",
    );
    const insert = 'insert into j values ($1, $2, $3)';
    assert.deepEqual(
      own.map((e) => [e.action, e.details.statement, e.details.rows ?? null]),
      [
        ['db.ddl', 'create table j (id int, name text, n bigint)', null],
        ['db.insert', insert, 1],
        ['db.insert', insert, 1],
        ['db.insert', insert, 1],
        ['db.transaction', 'BEGIN', null],
        // Fetched one row per Execute (fetch size 1): one event with all three rows.
        ['db.select', 'select id, name from j where id >= $1 order by id', 3],
        ['db.transaction', 'COMMIT', null],
      ],
    );
    const inserts = own.filter((e) => e.action === 'db.insert');
    // Binary int4 / int8 parameters as hex, text as sent, a NULL as null.
    assert.deepEqual(
      inserts.map((e) => e.details.parameters),
      [
        ['\\x00000001', 'name1', '\\x000000000000000a'],
        ['\\x00000002', 'name2', null],
        ['\\x00000003', 'name3', '\\x000000000000001e'],
      ],
    );
    // prepareThreshold=1: one named server-side statement, executed three times.
    assert.match(String(inserts[0]?.details.statement_name), /^S_\d+$/);
    assert.equal(new Set(inserts.map((e) => e.details.statement_name)).size, 1);
    assert.equal(own[5]?.details.tx_status_before, 'T');
  });
});
