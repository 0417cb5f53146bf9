import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BackendParser } from '../../../src/gateway/postgres/backend-parser.js';
import { FrontendParser } from '../../../src/gateway/postgres/frontend-parser.js';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';
import type { StatementResult } from '../../../src/gateway/postgres/statement-result.js';
import { StatementTracker } from '../../../src/gateway/postgres/statement-tracker.js';
import { ManualClock } from '../../../src/util/clock.js';
import { bind, build } from './buffer-builder.js';

const parse = (name: string, sql: string) => build().cstring(name).cstring(sql).int16(0).join('P');
const execute = (portal: string, maxRows = 0) => build().cstring(portal).int32(maxRows).join('E');
const sync = () => build().join('S');
const complete = (tag: string) => build().cstring(tag).join('C');
const row = () => build().int16(1).int32(1).add([0x31]).join('D');
const ready = (s: string) =>
  build()
    .add([s.charCodeAt(0)])
    .join('Z');
const error = (code: string) =>
  build()
    .add([0x53])
    .cstring('ERROR')
    .add([0x43])
    .cstring(code)
    .add([0x4d])
    .cstring(`failed ${code}`)
    .add([0])
    .join('E');
const ok = (code: string) => build().join(code);

describe('StatementTracker', () => {
  let classifier: StatementClassifier;
  before(async () => {
    classifier = await StatementClassifier.load();
  });

  function session() {
    const results: StatementResult[] = [];
    const clock = new ManualClock(1000);
    const tracker = new StatementTracker(classifier, clock, (r) => results.push(r));
    const fe = new FrontendParser();
    const be = new BackendParser();
    return {
      results,
      clock,
      client(...messages: Buffer[]) {
        fe.push(Buffer.concat(messages));
        for (let m = fe.nextMessage(); m; m = fe.nextMessage()) tracker.fromClient(m);
      },
      server(...messages: Buffer[]) {
        be.push(Buffer.concat(messages));
        for (let m = be.next(); m; m = be.next()) tracker.fromServer(m);
      },
    };
  }

  it('a pipeline whose second statement fails: the third is recorded as not run, the next Sync recovers', () => {
    const s = session();
    s.client(
      parse('a', 'insert into t values ($1)'),
      bind('', 'a', ['1']),
      execute(''),
      parse('', 'update t set x = 1 where y = $1'),
      bind('', '', [null]),
      execute(''),
      bind('', 'a', ['3']),
      execute(''),
      sync(),
      bind('', 'a', ['4']),
      execute(''),
      sync(),
    );
    s.clock.advance(5);
    s.server(
      ok('1'),
      ok('2'),
      complete('INSERT 0 1'),
      ok('1'),
      ok('2'),
      error('23505'),
      ready('I'),
      ok('2'),
      complete('INSERT 0 1'),
      ready('I'),
    );
    assert.deepEqual(
      s.results.map((r) => [
        r.verb,
        r.outcome,
        r.parameters,
        r.rows ?? null,
        r.sqlstate ?? null,
        r.notExecuted ?? false,
      ]),
      [
        ['insert', 'success', ['1'], 1, null, false],
        ['update', 'failure', [null], null, '23505', false],
        ['insert', 'failure', ['3'], null, null, true],
        ['insert', 'success', ['4'], 1, null, false],
      ],
    );
    assert.equal(s.results[0]?.statementName, 'a');
  });

  it('a portal fetched in chunks (Execute with a row limit) is one statement with all its rows', () => {
    const s = session();
    s.client(parse('', 'select * from big'), bind('c', '', []), execute('c', 2), sync());
    s.server(ok('1'), ok('2'), row(), row(), ok('s'), ready('T'));
    assert.equal(s.results.length, 0, 'not finished while suspended');
    s.client(execute('c', 2), sync());
    s.server(row(), complete('SELECT 3'), ready('T'));
    assert.deepEqual(
      s.results.map((r) => [r.verb, r.rows]),
      [['select', 3]],
    );
  });

  it("a portal fetched a row at a time (JDBC fetch size 1): all rows, though the server's last tag says 0", () => {
    const s = session();
    s.client(parse('', 'select * from big'), bind('c', '', []), execute('c', 1), sync());
    s.server(ok('1'), ok('2'), row(), ok('s'), ready('T'));
    for (let i = 0; i < 2; i++) {
      s.client(execute('c', 1), sync());
      s.server(row(), ok('s'), ready('T'));
    }
    s.client(execute('c', 1), sync());
    // PostgreSQL's CommandComplete counts the rows of this last Execute only.
    s.server(complete('SELECT 0'), ready('T'));
    assert.deepEqual(
      s.results.map((r) => [r.verb, r.rows]),
      [['select', 3]],
    );
  });

  it('a multi-statement simple query: one result per statement; after an error the rest did not run', () => {
    const s = session();
    s.client(build().cstring('select 1; delete from t; select 2').join('Q'));
    s.server(ok('T'), row(), complete('SELECT 1'), error('42501'), ready('I'));
    assert.deepEqual(
      s.results.map((r) => [r.sql, r.outcome, r.sqlstate ?? null, r.notExecuted ?? false]),
      [
        ['select 1', 'success', null, false],
        ['delete from t', 'failure', '42501', false],
        ['select 2', 'failure', null, true],
      ],
    );
  });

  it('a Parse the server refuses is recorded as a failed statement', () => {
    const s = session();
    s.client(parse('', 'selec 1'), bind('', '', []), execute(''), sync());
    s.server(error('42601'), ready('I'));
    assert.deepEqual(
      s.results.map((r) => [r.sql, r.outcome, r.sqlstate]),
      [['selec 1', 'failure', '42601']],
    );
  });
});
