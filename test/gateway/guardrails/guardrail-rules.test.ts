import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type GuardrailRule,
  loadGuardrails,
  matchGuardrail,
  parseRule,
} from '../../../src/gateway/guardrails/guardrail-rules.js';
import { StatementClassifier } from '../../../src/gateway/postgres/statement-classifier.js';

describe('guardrail rules', () => {
  let classifier: StatementClassifier;
  let dir: string;
  before(async () => {
    classifier = await StatementClassifier.load();
    dir = mkdtempSync(join(tmpdir(), 'evident-guardrails-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const rules: GuardrailRule[] = [
    { name: 'no-drop', statements: ['drop'], mode: 'enforce' },
    { name: 'no-copy-program', statements: ['copy_program'], mode: 'enforce' },
    { name: 'no-alter-system', statements: ['alter_system'], mode: 'enforce' },
    { name: 'frozen', statements: ['ddl'], schemas: ['billing'], mode: 'enforce' },
    { name: 'any-billing', schemas: ['billing'], mode: 'observe' },
  ];
  const verdict = (sql: string) =>
    classifier
      .classify(sql)
      .map((st) => matchGuardrail(rules, st, { atMs: 0, upstreamRole: 'app' })?.name ?? null);

  it('reads statements as PostgreSQL does: commands, schemas, comments and quoting', () => {
    assert.deepEqual(verdict('DROP TABLE t; drop schema billing cascade; DROP ROLE r'), [
      'no-drop',
      'no-drop',
      'no-drop',
    ]);
    assert.deepEqual(verdict("copy t to program 'gzip > /tmp/x'; copy t to stdout"), [
      'no-copy-program',
      null,
    ]);
    assert.deepEqual(verdict("ALTER SYSTEM SET work_mem = '1GB'; alter table t add c int"), [
      'no-alter-system',
      null,
    ]);
    assert.deepEqual(
      verdict(
        'create table billing.x (a int); alter table billing.x add b int; create index on billing.x (a); create schema billing',
      ),
      ['frozen', 'frozen', 'frozen', 'frozen'],
    );
    assert.deepEqual(verdict('select * from billing.invoices'), ['any-billing']);
    assert.deepEqual(verdict("/* drop table t */ select 'drop table t'"), [null]);
    // Enforcing rules win over an observing one listed after them.
    assert.deepEqual(verdict('drop table billing.x'), ['no-drop']);
  });

  it('loads rules from YAML and refuses a rule it cannot read, saying where', () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules:\n  - name: no-drop\n    statements: [DROP]\n');
    assert.deepEqual(loadGuardrails(file), [
      { name: 'no-drop', statements: ['drop'], mode: 'enforce' },
    ]);
    for (const [rule, message] of [
      [{ statements: ['drop'] }, /needs a name/],
      [{ name: 'x' }, /give at least one of statements, schemas, tables or missing_where/],
      [{ name: 'x', statements: [] }, /non-empty list/],
      [{ name: 'x', statements: ['drop'], mode: 'audit' }, /enforce or observe/],
      [{ name: 'x', statement: ['drop'] }, /unknown key statement/],
    ] as const)
      assert.throws(() => parseRule(rule, 'rules.yaml: rule 1'), message);
    writeFileSync(file, 'rule:\n  - name: x\n');
    assert.throws(() => loadGuardrails(file), /expected a list under "rules:"/);
  });
});
