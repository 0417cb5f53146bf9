import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';

describe('gateway with the `pg` client', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('records each statement once, in order, with outcome, rows and parameters', async () => {
    const c = await h.connect();
    const t = `${h.schema}.items`;
    await c.query(`create table ${t} (id int primary key, name text, note text)`);
    await c.query(`insert into ${t} values ($1, $2, $3), ($4, $5, $6)`, [
      1,
      'one',
      null,
      2,
      'two',
      'x',
    ]);
    const selected = await c.query(`select * from ${t} where id >= $1`, [1]);
    assert.equal(selected.rowCount, 2);
    await c.query(`update ${t} set note = 'y'`);
    await assert.rejects(c.query(`select * from ${h.schema}.missing`), /does not exist/);
    await c.query({ name: 'by-id', text: `select name from ${t} where id = $1`, values: [2] });
    await c.query({ name: 'by-id', text: `select name from ${t} where id = $1`, values: [1] });
    await c.query(`delete from ${t} where id = 1; select count(*) from ${t}`);
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.details.rows ?? null, e.details.sqlstate ?? null]),
      [
        ['db.ddl', 'success', null, null],
        ['db.insert', 'success', 2, null],
        ['db.select', 'success', 2, null],
        ['db.update', 'success', 2, null],
        ['db.select', 'failure', null, '42P01'],
        ['db.select', 'success', 1, null],
        ['db.select', 'success', 1, null],
        ['db.delete', 'success', 1, null],
        ['db.select', 'success', 1, null],
      ],
    );
    assert.deepEqual(events[1]?.details.parameters, ['1', 'one', null, '2', 'two', 'x']);
    assert.equal(events[5]?.details.statement_name, 'by-id');
    assert.deepEqual(events[6]?.details.parameters, ['1']);
    assert.deepEqual(events[1]?.details.tables, [`${h.schema}.items`]);
    assert.equal(events[7]?.details.statement, `delete from ${t} where id = 1`);
    assert.equal(events[0]?.actor.id, h.person);
    assert.equal(events[0]?.target.id, 'test');
    const sessions = new Set(events.map((e) => e.actor.session));
    assert.equal(sessions.size, 1);
    await c.end();
    const all = await h.events();
    assert.equal(all[0]?.action, 'db.connect');
    assert.equal(all[all.length - 1]?.action, 'db.disconnect');
  });

  it('sets application_name upstream to evident/<session>', async () => {
    const c = await h.connect();
    const r = await c.query('select current_setting($1) as v', ['application_name']);
    const events = await h.events((e) => e.action === 'db.connect' && e.outcome === 'success');
    const last = events[events.length - 1]!;
    assert.equal(r.rows[0].v, `evident/${last.actor.session}`);
  });

  it('refuses a wrong secret with 28P01 and records the failed connection', async () => {
    await assert.rejects(
      h.connect({ password: 'wrong' }),
      (e: { code?: string }) => e.code === '28P01',
    );
    await assert.rejects(
      h.connect({ user: 'nobody', password: 'x' }),
      (e: { code?: string }) => e.code === '28P01',
    );
    const failed = await h.events((e) => e.action === 'db.connect' && e.outcome === 'failure');
    assert.equal(failed.length, 1);
  });
});
