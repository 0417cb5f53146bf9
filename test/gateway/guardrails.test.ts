import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { runClient } from './run-client.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';

const rules = (schema: string) => `rules:
  - name: no-drop
    statements: [drop]
  - name: no-truncate
    statements: [truncate]
  - name: no-copy-program
    statements: [copy_program]
  - name: no-alter-system
    statements: [alter_system]
  - name: frozen-schema
    statements: [ddl]
    schemas: [${schema}]
  - name: no-unbounded-delete
    statements: [delete]
    missing_where: true
  - name: watch-deletes
    statements: [delete]
    mode: observe
`;

describe('gateway guardrails', { skip }, () => {
  let h: Harness;
  let env: Record<string, string>;
  before(async () => {
    h = await startHarness({
      guardrails: (schema, dir) => {
        const file = join(dir, 'guardrails.yaml');
        writeFileSync(file, rules(schema));
        return file;
      },
    });
    env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(h.port),
      PGUSER: h.person,
      PGPASSWORD: h.secret,
      PGDATABASE: 'test',
      PGOPTIONS: `-c search_path=${h.schema}`,
    };
  });
  after(async () => {
    await h.close();
  });

  it('psql: refused statements get 42501, the session and the transaction state stay right', async () => {
    const script = [
      'create table t (a int);',
      'insert into t values (1);',
      'begin;',
      'insert into t values (2);',
      'drop table t;',
      '\\echo sqlstate :LAST_ERROR_SQLSTATE',
      'select 1;',
      '\\echo sqlstate :LAST_ERROR_SQLSTATE',
      'rollback;',
      'truncate t;',
      "copy t to program 'cat';",
      "alter system set work_mem = '8MB';",
      `create table ${h.schema}.frozen (a int);`,
      'delete from t where a = 1;',
      'select count(*) from t;',
    ].join('\n');
    const r = await runClient('psql', ['-X', '-q', '-At', '-f', '-'], env, `${script}\n`);
    assert.equal(r.code, 0, r.stderr);
    // The server itself aborted the transaction at the refused DROP: the next statement got
    // 25P02, as after any error inside BEGIN; the second insert was rolled back.
    assert.equal(r.stdout, 'sqlstate 42501\nsqlstate 25P02\n0\n');
    for (const rule of [
      'no-drop',
      'no-truncate',
      'no-copy-program',
      'no-alter-system',
      'frozen-schema',
    ])
      assert.match(
        r.stderr,
        new RegExp(`ERROR:  statement refused by the gateway's guardrail "${rule}"`),
      );
    const events = await h.events(statementsOnly);
    assert.deepEqual(
      events.map((e) => [
        e.action,
        e.outcome,
        e.details.sqlstate ?? null,
        (e.details.guardrail ?? e.details.guardrail_observed ?? null) as string | null,
      ]),
      [
        ['db.ddl', 'success', null, null],
        ['db.insert', 'success', null, null],
        ['db.transaction', 'success', null, null],
        ['db.insert', 'success', null, null],
        ['db.ddl', 'denied', '42501', 'no-drop'],
        ['db.select', 'failure', '25P02', null],
        ['db.transaction', 'success', null, null],
        ['db.truncate', 'denied', '42501', 'no-truncate'],
        ['db.copy_out', 'denied', '42501', 'no-copy-program'],
        ['db.ddl', 'denied', '42501', 'no-alter-system'],
        ['db.ddl', 'denied', '42501', 'frozen-schema'],
        ['db.delete', 'success', null, 'watch-deletes'],
        ['db.select', 'success', null, null],
      ],
    );
    const drop = events[4]!;
    assert.equal(drop.details.statement, 'drop table t');
    assert.equal(drop.reason, `statement refused by the gateway's guardrail "no-drop"`);
  });

  it('psql: a DELETE without WHERE inside BEGIN is refused (state E), one with WHERE runs', async () => {
    const script = [
      'create temp table w (id int);',
      'insert into w values (1), (2);',
      'begin;',
      'delete from w;',
      '\\echo sqlstate :LAST_ERROR_SQLSTATE',
      'select count(*) from w;',
      '\\echo sqlstate :LAST_ERROR_SQLSTATE',
      'rollback;',
      'begin;',
      'delete from w where id = 1;',
      'commit;',
      'select id from w;',
    ].join('\n');
    const r = await runClient('psql', ['-X', '-q', '-At', '-f', '-'], env, `${script}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /ERROR: {2}statement refused by the gateway's guardrail "no-unbounded-delete"/,
    );
    // The server aborted the transaction at the refused DELETE (25P02 next, as after any
    // error inside BEGIN); it deleted nothing, the bounded one deleted row 1, the session lived.
    assert.equal(r.stdout, 'sqlstate 42501\nsqlstate 25P02\n2\n');
    const events = (await h.events(statementsOnly)).filter((e) =>
      / w\b/.test(String(e.details.statement ?? '')),
    );
    assert.deepEqual(
      events.map((e) => [
        e.action,
        e.outcome,
        e.details.sqlstate ?? null,
        (e.details.guardrail ?? e.details.guardrail_observed ?? null) as string | null,
        e.details.tx_status_before ?? null,
      ]),
      [
        // The session's first statement: no ReadyForQuery seen by the tracker yet.
        ['db.ddl', 'success', null, null, null],
        ['db.insert', 'success', null, null, 'I'],
        ['db.delete', 'denied', '42501', 'no-unbounded-delete', 'T'],
        ['db.select', 'failure', '25P02', null, 'E'],
        ['db.delete', 'success', null, 'watch-deletes', 'T'],
        ['db.select', 'success', null, null, 'I'],
      ],
    );
  });

  it('extended protocol: a refused named statement inside BEGIN; the session goes on', async () => {
    const c = await h.connect();
    // A temporary table: DDL in the test schema is what the frozen-schema rule refuses.
    await c.query('create temp table e (a int)');
    await c.query('begin');
    await assert.rejects(
      c.query({ name: 'zap', text: 'truncate e' }),
      (e: { code?: string }) => e.code === '42501',
    );
    await assert.rejects(c.query('select 1'), (e: { code?: string }) => e.code === '25P02');
    await c.query('rollback');
    const r = await c.query({ text: 'select $1::int as n', values: [7] });
    assert.equal(r.rows[0].n, 7);
    const events = await h.events(statementsOnly);
    const denied = events.filter((e) => e.outcome === 'denied').at(-1)!;
    assert.equal(denied.action, 'db.truncate');
    assert.equal(denied.details.protocol, 'extended');
    assert.equal(denied.details.statement_name, 'zap');
    assert.equal(denied.details.guardrail, 'no-truncate');
    assert.equal(events.filter((e) => e.details.statement === 'truncate e').length, 1);
  });
});
