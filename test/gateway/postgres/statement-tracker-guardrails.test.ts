import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { GuardrailRule } from '../../../src/gateway/guardrails/guardrail-rules.js';
import { BackendParser } from '../../../src/gateway/postgres/backend-parser.js';
import { FrontendParser } from '../../../src/gateway/postgres/frontend-parser.js';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';
import type { StatementResult } from '../../../src/gateway/postgres/statement-result.js';
import { StatementTracker } from '../../../src/gateway/postgres/statement-tracker.js';
import { ManualClock } from '../../../src/util/clock.js';
import { bind, build } from './buffer-builder.js';

const parse = (name: string, sql: string) => build().cstring(name).cstring(sql).int16(0).join('P');
const execute = (portal: string) => build().cstring(portal).int32(0).join('E');
const sync = () => build().join('S');
const ready = (s: string) =>
  build()
    .add([s.charCodeAt(0)])
    .join('Z');
const syntaxError = build()
  .add([0x53])
  .cstring('ERROR')
  .add([0x43])
  .cstring('42601')
  .add([0x4d])
  .cstring('syntax error at or near "REFUSED"')
  .add([0])
  .join('E');

const RULES: GuardrailRule[] = [
  { name: 'no-drop', statements: ['drop'], mode: 'enforce' },
  { name: 'watch-deletes', statements: ['delete'], mode: 'observe' },
];

describe('StatementTracker with guardrails', () => {
  let classifier: StatementClassifier;
  before(async () => {
    classifier = await StatementClassifier.load();
  });

  function session() {
    const results: StatementResult[] = [];
    const tracker = new StatementTracker(
      classifier,
      new ManualClock(1000),
      (r) => results.push(r),
      RULES,
    );
    const fe = new FrontendParser();
    const be = new BackendParser();
    return {
      results,
      /** The bytes the session would send upstream. */
      client(...messages: Buffer[]): Buffer {
        fe.push(Buffer.concat(messages));
        const out: Buffer[] = [];
        for (let m = fe.nextMessage(); m; m = fe.nextMessage())
          out.push(tracker.fromClient(m).substitute ?? m.raw);
        return Buffer.concat(out);
      },
      /** The bytes the session would send to the client. */
      server(...messages: Buffer[]): Buffer {
        be.push(Buffer.concat(messages));
        const out: Buffer[] = [];
        for (let m = be.next(); m; m = be.next()) out.push(tracker.fromServer(m) ?? m.raw);
        return Buffer.concat(out);
      },
    };
  }

  it('a refused statement in a pipeline: its Parse is substituted, the error replaced, the rest not run', () => {
    const s = session();
    const upstream = s.client(
      parse('', 'drop table t'),
      bind('', '', []),
      execute(''),
      parse('', 'select 1'),
      bind('', '', []),
      execute(''),
      sync(),
    );
    assert.ok(upstream.includes('REFUSED'), 'the refused Parse is replaced');
    assert.ok(!upstream.includes('drop table t'), 'the refused text never goes upstream');
    assert.ok(upstream.includes('select 1'), 'the rest goes as sent (the server skips it)');
    const toClient = new BackendParser();
    toClient.push(s.server(syntaxError, ready('I')));
    const error = toClient.next();
    assert.ok(error?.type === 'error');
    assert.equal(error.fields.get('C'), '42501');
    assert.equal(error.fields.get('M'), `statement refused by the gateway's guardrail "no-drop"`);
    assert.equal(toClient.next()?.type, 'readyForQuery');
    assert.deepEqual(
      s.results.map((r) => [
        r.sql,
        r.outcome,
        r.sqlstate ?? null,
        r.guardrail ?? null,
        r.notExecuted ?? false,
      ]),
      [
        ['drop table t', 'denied', '42501', 'no-drop', false],
        ['select 1', 'failure', null, null, true],
      ],
    );
  });

  it('a simple Query with a refused statement is refused whole; an observed one runs, marked', () => {
    const s = session();
    const upstream = s.client(build().cstring('select 1; drop table t').join('Q'));
    assert.ok(!upstream.includes('select 1'), 'no statement of the refused Query goes upstream');
    s.server(syntaxError, ready('T'));
    assert.deepEqual(
      s.results.map((r) => [r.sql, r.outcome, r.guardrail ?? null, r.notExecuted ?? false]),
      [
        ['select 1', 'failure', null, true],
        ['drop table t', 'denied', 'no-drop', false],
      ],
    );
    const again = s.client(build().cstring('delete from t').join('Q'));
    assert.ok(again.includes('delete from t'));
    s.server(build().cstring('DELETE 2').join('C'), ready('I'));
    assert.equal(s.results[2]?.guardrailObserved, 'watch-deletes');
    assert.equal(s.results[2]?.outcome, 'success');
  });

  it('a change window and a role: the tracker asks its clock when the statement arrives', () => {
    const rules: GuardrailRule[] = [
      {
        name: 'ddl-in-window',
        statements: ['ddl'],
        exceptRoles: ['dba'],
        // Weekdays 08:00–18:00 UTC.
        outside: { timeZone: 'UTC', days: [0, 1, 2, 3, 4], fromMinute: 480, toMinute: 1080 },
        mode: 'enforce',
      },
    ];
    const clock = new ManualClock(Date.parse('2026-03-30T07:59:00Z'));
    const sent = (role: string) => {
      const tracker = new StatementTracker(classifier, clock, () => {}, rules, role);
      const fe = new FrontendParser();
      fe.push(build().cstring('create table t (a int)').join('Q'));
      const m = fe.nextMessage()!;
      return (tracker.fromClient(m).substitute ?? m.raw).toString();
    };
    assert.match(sent('app'), /REFUSED/);
    assert.match(sent('dba'), /create table t/);
    clock.set(Date.parse('2026-03-30T08:00:00Z'));
    assert.match(sent('app'), /create table t/);
  });
});
