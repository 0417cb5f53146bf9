import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';

/**
 * postgres.js (the `postgres` package): tagged queries are named prepared statements on the
 * extended protocol, and queries issued together on one connection are pipelined.
 */
describe('gateway with postgres.js', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('records named, pipelined statements once each, in order, with parameters, outcome and rows', async () => {
    const sql = postgres({
      host: '127.0.0.1',
      port: h.port,
      user: h.person,
      pass: h.secret,
      database: 'test',
      max: 1,
      // Its one-off catalogue query for array types would be an event of its own.
      fetch_types: false,
      onnotice: () => {},
    });
    try {
      const items = sql(`${h.schema}.items`);
      await sql`create table ${items} (id int primary key, name text)`;
      await sql`insert into ${items} values (${1}, ${'one'}), (${2}, ${null})`;
      // One connection, three queries at once: pipelined; the same text is one named statement.
      const rows = await Promise.all(
        [1, 2, 3].map((id) => sql`select name from ${items} where id = ${id}`),
      );
      assert.deepEqual(
        rows.map((r) => r.length),
        [1, 1, 0],
      );
      await sql`update ${items} set name = ${'two'} where id = ${2}`;
      await assert.rejects(sql`select * from ${sql(`${h.schema}.missing`)}`, /does not exist/);
      await sql.begin(async (tx) => {
        await tx`delete from ${items} where id = ${1}`;
      });
    } finally {
      await sql.end();
    }
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [
        e.action,
        e.outcome,
        e.details.rows ?? null,
        e.details.sqlstate ?? null,
        e.details.parameters ?? null,
      ]),
      [
        ['db.ddl', 'success', null, null, null],
        ['db.insert', 'success', 2, null, ['1', 'one', '2', null]],
        ['db.select', 'success', 1, null, ['1']],
        ['db.select', 'success', 1, null, ['2']],
        ['db.select', 'success', 0, null, ['3']],
        ['db.update', 'success', 1, null, ['two', '2']],
        ['db.select', 'failure', null, '42P01', null],
        ['db.transaction', 'success', null, null, null],
        ['db.delete', 'success', 1, null, ['1']],
        ['db.transaction', 'success', null, null, null],
      ],
    );
    assert.ok(
      events.slice(2, 5).every((e) => e.details.protocol === 'extended'),
      'the pipelined selects went through the extended protocol',
    );
    const names = new Set(events.slice(2, 5).map((e) => e.details.statement_name));
    assert.equal(names.size, 1, 'one named statement, executed three times');
    assert.ok([...names][0], 'a named (not unnamed) statement');
  });
});
