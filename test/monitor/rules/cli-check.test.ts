import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../../support/processes.js';

describe('evident rules (CLI)', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check: a valid file passes with the pack, exit 0', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(
      file,
      `rules:
  - id: billing.refunds
    title: Many refunds
    severity: high
    match: { action: refund.create }
    threshold: { count: 10, window: 1h, group_by: [actor.id] }
  - { id: iso.role-grant, enabled: false }
`,
    );
    const r = await runCli(['rules', 'check', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /good\.yaml: valid; 1 rule\(s\) of its own, \d+ active with the iso27001 pack/,
    );
  });

  it('check: problems with file:line:col and a path on stderr, exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `rules:
  - id: billing.refunds
    title: Many refunds
    severity: high
    match: { action: refund.create, outcome: failed }
    threshold: { count: 10, windw: 1h }
  - { id: iso.no-such-rule, enabled: false }
`,
    );
    const r = await runCli(['rules', 'check', file]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.ok(
      lines.includes(
        `${file}:5:46: rules[0].match.outcome: the value "failed" is not one of success, failure, denied, unknown (did you mean "failure"?)`,
      ),
      r.stderr,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(`${file}:6:29: rules[0].threshold.windw: unknown key "windw"`),
      ),
      r.stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith(`${file}:6:16: rules[0].threshold: threshold needs "window"`)),
      r.stderr,
    );
    assert.match(r.stderr, /problem\(s\); nothing was changed/);

    const json = await runCli(['rules', 'check', '--json', file]);
    assert.equal(json.code, 2);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.valid, false);
    assert.ok(parsed.problems.every((p: { line: number }) => p.line > 0));
  });

  it('check: an unreadable file is an error (exit 1), not "invalid"', async () => {
    const r = await runCli(['rules', 'check', join(dir, 'missing.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read .*missing\.yaml/);
  });

  it('pack: prints the built-in pack, which checks as valid', async () => {
    const r = await runCli(['rules', 'pack']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /id: iso\.failed-sign-ins/);
    const file = join(dir, 'pack-copy.yaml');
    writeFileSync(file, r.stdout);
    const check = await runCli(['rules', 'check', file]);
    assert.equal(check.code, 0, check.stderr);
  });
});
