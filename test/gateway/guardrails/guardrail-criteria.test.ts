import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type GuardContext,
  loadGuardrails,
  matchGuardrail,
  parseRule,
} from '../../../src/gateway/guardrails/guardrail-rules.js';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';
import { timeZoneProblem } from '../../../src/monitor/rules/local-time.js';

const AT: GuardContext = { atMs: Date.parse('2026-03-30T10:00:00Z'), upstreamRole: 'app' };

describe('guardrail criteria: tables, missing WHERE, change window, roles', () => {
  let classifier: StatementClassifier;
  let dir: string;
  before(async () => {
    classifier = await StatementClassifier.load();
    dir = mkdtempSync(join(tmpdir(), 'evident-guardrail-criteria-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Which statements of `sql` the rule (given as in YAML) matches. */
  const matched = (rule: Record<string, unknown>, sql: string, context = AT) => {
    const parsed = parseRule({ name: 'r', ...rule }, 'test: rule 1');
    return classifier
      .classify(sql)
      .map((st) => matchGuardrail([parsed], st, context) !== undefined);
  };

  it('tables: unqualified in a rule matches any schema; qualified also matches unqualified use', () => {
    const sql =
      'select * from accounts; select * from billing.accounts; select * from crm.accounts; select * from invoices; update "Accounts" set a = 1 where b = 2';
    assert.deepEqual(matched({ tables: ['accounts'] }, sql), [true, true, true, false, false]);
    assert.deepEqual(matched({ tables: ['billing.accounts'] }, sql), [
      true,
      true,
      false,
      false,
      false,
    ]);
    assert.deepEqual(matched({ tables: ['Accounts'] }, sql), [false, false, false, false, true]);
    // Tables anywhere in the statement: a join, a subquery, a CTE, the target of an insert.
    assert.deepEqual(
      matched(
        { tables: ['secrets'], statements: ['select', 'insert'] },
        'select 1 from t join secrets s on true; select (select max(a) from secrets); with x as (select * from secrets) select * from x; insert into secrets values (1); delete from secrets where a = 1',
      ),
      [true, true, true, true, false],
    );
    // DROP names its tables as names, not table references; they count too.
    assert.deepEqual(
      matched(
        { tables: ['billing.accounts'], statements: ['ddl'] },
        'drop table billing.accounts, x; drop view accounts; alter table billing.accounts add c int; drop index accounts',
      ),
      [true, true, true, false],
    );
  });

  it('missing_where: UPDATE and DELETE without WHERE, read from the parse tree', () => {
    const sql = [
      'delete from t',
      'delete from t where id = 1',
      'update t set a = 1',
      'update t set a = 1 where id = 1',
      // Any WHERE is a WHERE, even one that keeps every row.
      'delete from t where true',
      // USING joins, it does not filter.
      'delete from t using u',
      'delete from t using u where t.id = u.id',
      'with gone as (delete from t returning *) select count(*) from gone',
      'with gone as (delete from t where id = 1 returning *) select count(*) from gone',
      'explain analyze update t set a = 1',
      'update t set a = 1 where current of c',
      "select 'delete from t'",
      'insert into t values (1)',
      'truncate t',
    ].join('; ');
    assert.deepEqual(matched({ missing_where: true }, sql), [
      true,
      false,
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    // Combined with a verb: only the DELETEs.
    assert.deepEqual(
      matched({ missing_where: true, statements: ['delete'] }, 'delete from t; update t set a = 1'),
      [true, false],
    );
  });

  it('outside: matches only outside the change window, by the zone wall clock across DST', () => {
    const rule = {
      statements: ['ddl'],
      outside: {
        time_zone: 'Europe/Berlin',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        from: '08:00',
        to: '18:00',
      },
    };
    const ddl = (iso: string) =>
      matched(rule, 'create table t (a int)', { atMs: Date.parse(iso), upstreamRole: 'app' })[0];
    // Friday 27 March 2026, CET (UTC+1): 08:00 local is 07:00Z.
    assert.equal(ddl('2026-03-27T06:59:59Z'), true);
    assert.equal(ddl('2026-03-27T07:00:00Z'), false);
    assert.equal(ddl('2026-03-27T16:59:59Z'), false);
    assert.equal(ddl('2026-03-27T17:00:00Z'), true, '18:00 local ends the window');
    // Saturday and Sunday are outside all day; the clocks go forward on Sunday 29 March.
    assert.equal(ddl('2026-03-28T10:00:00Z'), true);
    // Monday 30 March 2026, CEST (UTC+2): 08:00 local is now 06:00Z.
    assert.equal(ddl('2026-03-30T05:59:00Z'), true);
    assert.equal(ddl('2026-03-30T06:00:00Z'), false);
    assert.equal(ddl('2026-03-30T15:59:00Z'), false);
    assert.equal(ddl('2026-03-30T16:00:00Z'), true);
    // The weekday is the local one: Monday 23:30Z is Tuesday 01:30 in Berlin.
    const mondayOnly = {
      statements: ['ddl'],
      outside: { time_zone: 'Europe/Berlin', days: ['mon'], from: '00:00', to: '24:00' },
    };
    const at = (iso: string) => ({ atMs: Date.parse(iso), upstreamRole: 'app' });
    assert.deepEqual(matched(mondayOnly, 'drop table t', at('2026-03-30T21:59:00Z')), [false]);
    assert.deepEqual(matched(mondayOnly, 'drop table t', at('2026-03-30T22:00:00Z')), [true]);
    // Statements the other criteria exclude are never matched, in or out of the window.
    assert.deepEqual(matched(rule, 'select 1', at('2026-03-28T10:00:00Z')), [false]);
  });

  it('outside: a window past midnight belongs to the day it starts, by the wall clock across DST', () => {
    const nights = {
      statements: ['ddl'],
      outside: { time_zone: 'Europe/Berlin', days: ['fri', 'sat'], from: '22:00', to: '06:00' },
    };
    const ddl = (iso: string) =>
      matched(nights, 'drop table t', { atMs: Date.parse(iso), upstreamRole: 'app' })[0];
    // Thursday 26 March 2026 (CET, UTC+1): Thursday is not listed, nor is Wednesday night.
    assert.equal(ddl('2026-03-26T01:00:00Z'), true, 'Thursday 02:00 ends no listed night');
    assert.equal(ddl('2026-03-26T21:30:00Z'), true, 'Thursday 22:30 starts no listed night');
    // Friday 22:00 local (21:00Z) opens the window; it runs on into Saturday morning.
    assert.equal(ddl('2026-03-27T20:59:00Z'), true);
    assert.equal(ddl('2026-03-27T21:00:00Z'), false);
    assert.equal(ddl('2026-03-27T23:00:00Z'), false, 'Saturday 00:00, Friday night');
    assert.equal(ddl('2026-03-28T04:59:00Z'), false, 'Saturday 05:59');
    assert.equal(ddl('2026-03-28T05:00:00Z'), true, 'Saturday 06:00 closes it');
    assert.equal(ddl('2026-03-28T12:00:00Z'), true, 'Saturday noon');
    // Saturday night spans the change to CEST (02:00 becomes 03:00 on Sunday 29 March):
    // 22:00 CET is 21:00Z, 06:00 CEST is 04:00Z, so the night lasts 7 hours.
    assert.equal(ddl('2026-03-28T20:59:00Z'), true);
    assert.equal(ddl('2026-03-28T21:00:00Z'), false);
    assert.equal(ddl('2026-03-29T01:00:00Z'), false, '03:00 CEST, just after the jump');
    assert.equal(ddl('2026-03-29T03:59:00Z'), false, 'Sunday 05:59 CEST');
    assert.equal(ddl('2026-03-29T04:00:00Z'), true, 'Sunday 06:00 CEST');
    // Sunday is not listed: Sunday night stays closed, and so does Monday morning.
    assert.equal(ddl('2026-03-29T21:00:00Z'), true, 'Sunday 23:00 CEST');
    assert.equal(ddl('2026-03-30T02:00:00Z'), true, 'Monday 04:00 CEST');
    // Saturday 24 October 2026 spans the change back to CET (03:00 becomes 02:00 on
    // Sunday 25 October): 22:00 CEST is 20:00Z, 06:00 CET is 05:00Z, 9 hours.
    assert.equal(ddl('2026-10-24T19:59:00Z'), true);
    assert.equal(ddl('2026-10-24T20:00:00Z'), false);
    assert.equal(ddl('2026-10-25T00:30:00Z'), false, 'the first 02:30 (CEST)');
    assert.equal(ddl('2026-10-25T01:30:00Z'), false, 'the second 02:30 (CET)');
    assert.equal(ddl('2026-10-25T04:59:00Z'), false, 'Sunday 05:59 CET');
    assert.equal(ddl('2026-10-25T05:00:00Z'), true, 'Sunday 06:00 CET');
    // An end inside the skipped hour closes the window when the clock jumps over it.
    const untilHalfPastTwo = {
      statements: ['ddl'],
      outside: { time_zone: 'Europe/Berlin', days: ['sat'], from: '23:00', to: '02:30' },
    };
    const at = (iso: string) => ({ atMs: Date.parse(iso), upstreamRole: 'app' });
    assert.deepEqual(matched(untilHalfPastTwo, 'drop table t', at('2026-03-29T00:59:00Z')), [
      false,
    ]);
    assert.deepEqual(matched(untilHalfPastTwo, 'drop table t', at('2026-03-29T01:00:00Z')), [true]);
  });

  it('roles and except_roles: the upstream role of the session', () => {
    const sql = 'delete from t';
    const as = (upstreamRole: string) => ({ atMs: AT.atMs, upstreamRole });
    assert.deepEqual(matched({ missing_where: true, roles: ['app'] }, sql, as('app')), [true]);
    assert.deepEqual(matched({ missing_where: true, roles: ['app'] }, sql, as('dba')), [false]);
    assert.deepEqual(matched({ missing_where: true, except_roles: ['dba'] }, sql, as('app')), [
      true,
    ]);
    assert.deepEqual(matched({ missing_where: true, except_roles: ['dba'] }, sql, as('dba')), [
      false,
    ]);
  });

  it('refuses a bad rule, naming the file, the rule and the key', () => {
    const file = join(dir, 'rules.yaml');
    const load = (rule: string) => {
      writeFileSync(file, `rules:\n  - name: ok\n    statements: [drop]\n  - name: bad\n${rule}`);
      return () => loadGuardrails(file);
    };
    const at = `${file}: rule 2 (bad)`;
    const cases: [string, string][] = [
      ['    tables: []\n', `${at}: tables must be a non-empty list of names`],
      ['    statements: [ddl]\n    roles: []\n', `${at}: roles must be a non-empty list of names`],
      [
        '    statements: [ddl]\n    except_roles: [""]\n',
        `${at}: except_roles must be a non-empty list of names`,
      ],
      ['    missing_where: false\n', `${at}: missing_where must be true (leave it out otherwise)`],
      [
        '    roles: [dba]\n',
        `${at}: give at least one of statements, schemas, tables or missing_where`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: Europe/Berlinn, days: [mon], from: "08:00", to: "18:00" }\n',
        `${at}: outside.time_zone: ${timeZoneProblem('Europe/Berlinn')}`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [], from: "08:00", to: "18:00" }\n',
        `${at}: outside.days: needs a non-empty list of mon, tue, wed, thu, fri, sat, sun`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [monday], from: "08:00", to: "18:00" }\n',
        `${at}: outside.days: monday is not one of mon, tue, wed, thu, fri, sat, sun`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [mon], from: "8am", to: "18:00" }\n',
        `${at}: outside.from: must be a time like "08:00"`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [mon], from: "08:00", to: "25:00" }\n',
        `${at}: outside.to: must be a time like "08:00" (or "24:00")`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [mon], from: "08:00", to: "08:00" }\n',
        `${at}: outside: from and to must differ (a whole day is from "00:00" to "24:00"; a window past midnight has to before from, e.g. from "22:00" to "06:00")`,
      ],
      [
        '    statements: [ddl]\n    outside: { time_zone: UTC, days: [mon], from: "08:00", to: "18:00", hours: x }\n',
        `${at}: outside: unknown key hours (known: time_zone, days, from, to)`,
      ],
      ['    statements: [ddl]\n    table: [t]\n', `${at}: unknown key table (known: `],
    ];
    // The monitor's own wording, did-you-mean included.
    assert.match(timeZoneProblem('Europe/Berlinn')!, /did you mean/);
    for (const [rule, message] of cases)
      assert.throws(
        load(rule),
        (e: Error) => e.message.startsWith(message),
        `${rule} → ${message}`,
      );
    // Unquoted YAML clock times are strings in YAML 1.2, so they work too.
    writeFileSync(
      file,
      'rules:\n  - name: window\n    statements: [ddl]\n    outside: { time_zone: Europe/Berlin, days: [Mon, fri], from: 08:00, to: 24:00 }\n',
    );
    assert.deepEqual(loadGuardrails(file)[0]!.outside, {
      timeZone: 'Europe/Berlin',
      days: [0, 4],
      fromMinute: 480,
      toMinute: 1440,
    });
  });
});
