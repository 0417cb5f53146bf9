import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvlog } from '../../src/connect/pgaudit/csvlog.js';
import { parsePgAudit } from '../../src/connect/pgaudit/parse-audit.js';

describe('pgAudit entries', () => {
  it('session audit with a quoted statement and a comma inside it', () => {
    assert.deepEqual(
      parsePgAudit(
        'LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,"select a, b from t where c = \'x\'",<not logged>',
      ),
      {
        auditType: 'SESSION',
        statementId: 1,
        substatementId: 1,
        class: 'READ',
        command: 'SELECT',
        objectType: 'TABLE',
        objectName: 'public.t',
        statement: "select a, b from t where c = 'x'",
      },
    );
  });

  it('object audit with doubled quotes and parameters (pgAudit README example shape)', () => {
    const e = parsePgAudit(
      'AUDIT: OBJECT,3,1,WRITE,INSERT,TABLE,public.account,"insert into account (id, name, password) values (1, \'user1\', ""HASH"")","1,user1"',
    );
    assert.equal(e?.auditType, 'OBJECT');
    assert.equal(e?.command, 'INSERT');
    assert.equal(
      e?.statement,
      'insert into account (id, name, password) values (1, \'user1\', "HASH")',
    );
    assert.equal(e?.parameter, '1,user1');
  });

  it('a session statement on no object', () => {
    const e = parsePgAudit('AUDIT: SESSION,2,1,ROLE,GRANT,,,grant select on t to bob,<none>');
    assert.equal(e?.objectName, undefined);
    assert.equal(e?.class, 'ROLE');
    assert.equal(e?.statement, 'grant select on t to bob');
    assert.equal(e?.parameter, undefined);
  });

  for (const text of [
    'LOG: statement: select 1',
    'AUDIT: NOPE,1,1,READ,SELECT,,,x,y',
    'AUDIT: SESSION,x,1,READ,SELECT,,,x,y',
    'AUDIT: SESSION,1,1',
  ]) {
    it(`is not an entry: ${text}`, () => assert.equal(parsePgAudit(text), undefined));
  }
});

describe('PostgreSQL csvlog', () => {
  // A csvlog line as PostgreSQL 16 writes it: the message is a CSV field, so pgAudit's own
  // quotes are doubled again.
  const line =
    '2026-11-22 09:14:03.120 UTC,"alice","shop",311,"10.0.0.7:52000",6740a1b3.137,3,"SELECT",2026-11-22 09:13:00 UTC,3/12,0,LOG,00000,"AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,""select * from t"",<not logged>",,,,,,,,,"psql","client backend",,0';

  it('splits records, unwraps the message and keeps user, database and client', () => {
    const out = parseCsvlog(`${line}\n${line}\n`);
    assert.equal(out.length, 2);
    const r = out[0]!;
    assert.ok(r.ok);
    assert.equal(r.record.user, 'alice');
    assert.equal(r.record.database, 'shop');
    assert.equal(r.record.connectionFrom, '10.0.0.7:52000');
    assert.equal(r.record.applicationName, 'psql');
    assert.equal(parsePgAudit(r.record.message)?.statement, 'select * from t');
  });

  it('a record with a newline inside a quoted field is one record', () => {
    const out = parseCsvlog(line.replace('select * from t', 'select *\nfrom t'));
    assert.equal(out.length, 1);
    assert.ok(out[0]!.ok);
  });

  it('a broken or short line is reported with its text, not dropped', () => {
    const out = parseCsvlog(`a,b,c\n${line}\n"open`);
    assert.equal(out.length, 3);
    assert.equal(out[0]!.ok, false);
    assert.ok(out[1]!.ok);
    assert.equal(out[2]!.ok, false);
  });
});
