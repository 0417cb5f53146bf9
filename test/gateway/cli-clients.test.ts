import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { runClient } from './run-client.js';

describe('gateway with psql and pgbench', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  let env: Record<string, string>;
  before(async () => {
    h = await startHarness();
    env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(h.port),
      PGUSER: h.person,
      PGPASSWORD: h.secret,
      PGDATABASE: 'test',
      PGOPTIONS: `-c search_path=${h.schema}`,
      PGSSLMODE: 'prefer',
    };
  });
  after(async () => {
    await h.close();
  });

  it('psql: statements, COPY in and out with their row counts, an error, in order', async () => {
    const script = [
      'create table t (a int, b text);',
      'COPY t FROM stdin;',
      '1\tone',
      '2\ttwo',
      '3\t\\N',
      '\\.',
      'COPY t TO STDOUT;',
      'select count(*) from t where b is null;',
      'select * from nowhere;',
      'begin; delete from t where a = 3; commit;',
    ].join('\n');
    const r = await runClient('psql', ['-X', '-q', '-f', '-'], env, `${script}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\tone\n2\ttwo\n3\t\\N/);
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.details.rows ?? null]),
      [
        ['db.ddl', 'success', null],
        ['db.copy_in', 'success', 3],
        ['db.copy_out', 'success', 3],
        ['db.select', 'success', 1],
        ['db.select', 'failure', null],
        ['db.transaction', 'success', null],
        ['db.delete', 'success', 1],
        ['db.transaction', 'success', null],
      ],
    );
    assert.equal(events[1]?.details.statement, 'COPY t FROM stdin');
    assert.equal(events[4]?.details.sqlstate, '42P01');
  });

  for (const mode of ['simple', 'extended', 'prepared']) {
    it(`pgbench -M ${mode}: every statement of every transaction, once, all successful`, async () => {
      const before = (await h.events(statementsOnly)).length;
      const init = await runClient('pgbench', ['-i', '-s', '1', '-q', '-I', 'dtgv'], env);
      assert.equal(init.code, 0, init.stderr);
      const afterInit = (await h.events(statementsOnly)).length;
      const run = await runClient('pgbench', ['-n', '-M', mode, '-c', '2', '-t', '25'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /number of transactions actually processed: 50\/50/);
      const all = (await h.events(statementsOnly)).slice(afterInit);
      // TPC-B-like: BEGIN, 3 updates, a select, an insert, END per transaction; pgbench also
      // asks for the scale once (a select on pgbench_branches), which is recorded too.
      const isTransaction = (e: { details: { statement?: string } }) =>
        /^(BEGIN|END|UPDATE pgbench_|SELECT abalance|INSERT INTO pgbench_history)/.test(
          e.details.statement ?? '',
        );
      const events = all.filter(isTransaction);
      assert.equal(events.length, 50 * 7);
      const setup = all.filter((e) => !isTransaction(e));
      assert.ok(
        setup.length <= 3 && setup.every((e) => e.action === 'db.select'),
        JSON.stringify(setup.map((e) => e.details.statement)),
      );
      assert.ok(
        events.every((e) => e.outcome === 'success'),
        'all succeeded',
      );
      const counts: Record<string, number> = {};
      for (const e of events) counts[e.action] = (counts[e.action] ?? 0) + 1;
      assert.deepEqual(counts, {
        'db.transaction': 100,
        'db.update': 150,
        'db.select': 50,
        'db.insert': 50,
      });
      const updates = events.filter((e) => e.action === 'db.update');
      assert.ok(updates.every((e) => e.details.rows === 1));
      if (mode !== 'simple') assert.equal(updates[0]?.details.parameters?.length, 2);
      if (mode === 'prepared') assert.ok(updates[0]?.details.statement_name);
      assert.ok(afterInit > before, 'pgbench -i itself was recorded (COPY included)');
    });
  }
});
