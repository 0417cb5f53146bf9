import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { literalShape } from '../../../src/gateway/postgres/literal-shape.js';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';

describe('literalShape', () => {
  it('takes out integers, decimals and plain strings, each kind with its own marker', () => {
    assert.deepEqual(
      literalShape(
        "SELECT abalance FROM t1 WHERE aid = 42 and x > 1.5 and n = 'ada' limit 9999999999;",
      ),
      {
        key: 'SELECT abalance FROM t1 WHERE aid = $i and x > $d and n = $s limit $d;',
        numbered: 'SELECT abalance FROM t1 WHERE aid = $1 and x > $2 and n = $3 limit $4;',
      },
    );
    assert.equal(literalShape('select a from b'), undefined, 'no constants: no shape');
  });

  it('gives no shape where a simple scan cannot follow the lexer', () => {
    for (const sql of [
      'select $1 + 5',
      'select $$a$$, 5',
      'select "col 1" from t where a = 5',
      "select E'a\\\\'' , 5",
      "select 'a\\\\' , 5",
      "select 'it''s', 5",
      "select B'101', 5",
      "select U&'d\\\\0061t', 5",
      'select 1e5',
      'select 0x1F',
      'select 5 -- a comment',
      'select /* 5 */ 6',
      'select 5 from é',
      "select 'unterminated",
    ])
      assert.equal(literalShape(sql), undefined, sql);
  });
});

describe('StatementClassifier under literals, by literal shape', () => {
  let c: StatementClassifier;
  before(async () => {
    c = await StatementClassifier.load({ redaction: 'literals' });
  });

  it('reads texts that differ only in constants once, with the normalised text', () => {
    const first = c.classify('SELECT abalance FROM pgbench_accounts WHERE aid = 41;');
    const second = c.classify('SELECT abalance FROM pgbench_accounts WHERE aid = 97531;');
    assert.equal(second, first, 'the second text is served by the first reading');
    assert.equal(second[0]!.normalized, 'SELECT abalance FROM pgbench_accounts WHERE aid = $1');
    assert.deepEqual(second[0]!.tables, ['pgbench_accounts']);
  });

  it('never serves a text from a shape whose constants normalisation keeps', () => {
    // PostgreSQL keeps the constants of CREATE VIEW … AS: each text is its own reading.
    c.classify('create view v1 as select 5 as n');
    const other = c.classify('create view v1 as select 6 as n');
    assert.match(other[0]!.normalized ?? '', /select 6 as n/);
    // A negative number is one constant with its sign; the shape takes out the digits only.
    c.classify('select -5');
    assert.equal(c.classify('select -7')[0]!.normalized, 'select $1');
  });
});
