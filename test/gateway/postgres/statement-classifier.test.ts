import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';

describe('StatementClassifier (PostgreSQL parser)', () => {
  let c: StatementClassifier;
  before(async () => {
    c = await StatementClassifier.load();
  });

  it('splits a multi-statement string and names each verb and its tables', () => {
    const got = c.classify(
      'insert into t values (1); COPY public.t FROM STDIN; update x set a = 1; create table q (a int); begin; select * from a join b.c on true',
    );
    assert.deepEqual(
      got.map((s) => [s.verb, s.tables]),
      [
        ['insert', ['t']],
        ['copy_in', ['public.t']],
        ['update', ['x']],
        ['ddl', ['q']],
        ['transaction', []],
        ['select', ['a', 'b.c']],
      ],
    );
    assert.equal(got[2]?.sql, 'update x set a = 1');
  });

  it('reads comments, quoting and CTEs as the server does', () => {
    assert.equal(c.classify("/* delete from t */ select 'drop table x'")[0]?.verb, 'select');
    assert.equal(
      c.classify('with gone as (delete from t returning *) select * from gone')[0]?.verb,
      'select',
    );
    assert.equal(c.classify('COPY (select 1) TO STDOUT')[0]?.verb, 'copy_out');
    assert.equal(c.classify('select 1 into newtable')[0]?.verb, 'ddl');
    assert.equal(c.classify('drop table t')[0]?.verb, 'ddl');
  });

  it('cuts statements by UTF-8 byte offsets, not characters', () => {
    const got = c.classify("select 'é€😀'; select 2");
    assert.deepEqual(
      got.map((s) => s.sql),
      ["select 'é€😀'", 'select 2'],
    );
  });

  it('keeps a statement the parser refuses whole, as "unparsed"', () => {
    assert.deepEqual(c.classify('selec 1'), [
      { sql: 'selec 1', verb: 'unparsed', tables: [], redaction: 'none' },
    ]);
    assert.equal(c.classify('')[0]?.verb, 'empty');
  });
});
