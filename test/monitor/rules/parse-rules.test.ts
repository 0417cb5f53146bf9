import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPack } from '../../../src/monitor/packs/packs.js';
import { compileLayers } from '../../../src/monitor/rules/compile-layers.js';
import { parseRules } from '../../../src/monitor/rules/parse-rules.js';
import { formatProblem, type RuleProblem } from '../../../src/monitor/rules/problems.js';

function problemsOf(text: string, file = 'rules.yaml'): RuleProblem[] {
  const result = parseRules(text, file);
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

/** One problem whose formatted text contains every fragment. */
function hasProblem(problems: RuleProblem[], ...fragments: string[]): RuleProblem {
  const found = problems.find((p) => fragments.every((f) => formatProblem(p).includes(f)));
  assert.ok(
    found,
    `no problem with ${fragments.join(' + ')} in:\n${problems.map(formatProblem).join('\n')}`,
  );
  return found;
}

const VALID = `version: 1
calendars:
  office:
    time_zone: Europe/Berlin
    days: [mon, tue, wed, thu, fri]
    hours: "08:00-18:00"
    holidays: [2026-12-25]
rules:
  - id: app.failed-logins
    title: Failed logins
    severity: high
    match:
      action: { suffix: .login }
      outcome: [failure, denied]
    threshold: { count: 5, window: 10m, group_by: [actor.id] }
    suppress: 1h
  - id: app.night-reads
    title: Night reads
    severity: low
    match:
      target.sensitivity: restricted
      off_hours: office
`;

describe('rule language: parsing', () => {
  it('reads a valid file into rule specs with durations in milliseconds', () => {
    const result = parseRules(VALID, 'rules.yaml');
    assert.ok(result.ok);
    const [failed, night] = result.file.rules;
    assert.equal(failed!.kind, 'threshold');
    assert.deepEqual(failed!.threshold, {
      count: 5,
      window_ms: 600_000,
      group_by: ['actor.id'],
    });
    assert.deepEqual(failed!.suppress, { window_ms: 3_600_000 });
    assert.deepEqual(failed!.match!.fields, [
      { path: 'action', test: { suffix: ['.login'] } },
      { path: 'outcome', test: { in: ['failure', 'denied'] } },
    ]);
    assert.equal(night!.kind, 'match');
    assert.deepEqual(night!.match!.off_hours, {
      calendar: 'office',
      loc: { file: 'rules.yaml', line: 22, col: 18, path: 'rules[1].match.off_hours' },
    });
    assert.equal(result.file.calendars.office!.spec.from_minute, 480);
    assert.equal(result.file.calendars.office!.spec.to_minute, 1080);
  });

  it('reads JSON text too (the API accepts either)', () => {
    const json = JSON.stringify({
      rules: [
        {
          id: 'x',
          title: 'X',
          severity: 'low',
          match: { action: 'a.b', 'request.status': { gte: 500 } },
        },
      ],
    });
    const result = parseRules(json, 'api');
    assert.ok(result.ok);
    assert.deepEqual(result.file.rules[0]!.match!.fields[1], {
      path: 'request.status',
      test: { gte: 500 },
    });
  });

  it('an empty file is an empty rule set', () => {
    const result = parseRules('', 'empty.yaml');
    assert.ok(result.ok);
    assert.equal(result.file.rules.length, 0);
  });

  it('points at file:line:col with a path and a did-you-mean for unknown keys', () => {
    const problems = problemsOf(`rules:
  - id: r1
    titel: Oops
    severity: high
    match: { action: a.b }
`);
    const p = hasProblem(problems, 'rules.yaml:3:5', 'rules[0].titel', 'did you mean "title"');
    assert.equal(p.line, 3);
    hasProblem(problems, 'rules.yaml:2:5', 'rules[0]', 'needs "title"');
  });

  it('rejects unknown record fields, operators and enum values with suggestions', () => {
    const problems = problemsOf(`rules:
  - id: r1
    title: T
    severity: critcal
    match:
      actr.id: u-1
      outcome: failed
      target.sensitivity: secret
      action: { prefx: user. }
      details.rows: { gt: 10 }
`);
    hasProblem(problems, ':4:15', 'severity "critcal"', 'did you mean "critical"');
    hasProblem(problems, ':6:16', 'match["actr.id"]', '"actr" is not a record field', '"actor"');
    hasProblem(problems, ':7:16', 'rules[0].match.outcome', '"failed"', 'did you mean "failure"');
    hasProblem(
      problems,
      ':8:27',
      'target.sensitivity',
      'public, internal, confidential, restricted',
    );
    hasProblem(problems, ':9:17', 'match.action.prefx', 'did you mean "prefix"');
    // details.* is free-form: no problem for details.rows.
    assert.equal(
      problems.some((p) => p.path.includes('details')),
      false,
    );
  });

  it('reports YAML syntax errors with their position and stops there', () => {
    const problems = problemsOf('rules:\n  - id: a\n    id: b\n', 'dup.yaml');
    hasProblem(problems, 'dup.yaml:3:5', 'Map keys must be unique');
    const unclosed = problemsOf('rules: [\n  {id: a\n', 'open.yaml');
    assert.ok(unclosed.every((p) => p.message.startsWith('YAML:')));
    assert.ok(unclosed[0]!.line >= 1);
  });

  it('refuses aliases, duplicate ids, two kinds in one rule and missing parts', () => {
    const problems = problemsOf(`rules:
  - id: same
    title: A
    severity: low
    match: &m { action: a.b }
  - id: same
    title: B
    severity: low
    match: *m
  - id: both
    title: C
    severity: low
    match: { action: a.b }
    threshold: { count: 2, window: 1m }
    sequence: { window: 1m, steps: [] }
  - id: nomatch
    title: D
    severity: low
`);
    hasProblem(problems, ':6:9', 'id "same" is used twice (first at rules.yaml:2:9)');
    hasProblem(problems, ':9:12', 'aliases');
    hasProblem(problems, ':15:15', 'rules[2].sequence', 'this one has threshold and sequence');
    hasProblem(problems, ':16:5', 'rules[3]', 'needs "match"');
  });

  it('checks durations, counts, group fields and sequence steps', () => {
    const problems = problemsOf(`rules:
  - id: t1
    title: T
    severity: low
    match: { action: a.b }
    threshold: { count: 0, window: 10, group_by: [actor.idd] }
  - id: s1
    title: S
    severity: low
    sequence:
      window: 40d
      steps:
        - match: { action: a.b }
        - match: { action: c.d }
          count: 2
  - id: s2
    title: S2
    severity: low
    sequence:
      window: 1h
      group_by: [actor.id]
      steps:
        - match: { action: a.b }
          group_by: [target.id, source]
        - match: { action: c.d }
`);
    hasProblem(problems, ':6:25', 'threshold.count', 'from 1 to 1000');
    hasProblem(problems, ':6:36', 'threshold.window', 'duration like 30s');
    hasProblem(problems, ':6:51', 'group_by[0]', '"actor.idd" is not a field', '"id"');
    hasProblem(problems, ':11:15', 'sequence.window', 'from 1s to 30d');
    hasProblem(problems, ':15:18', 'steps[1].count', 'only the first step takes a count');
    hasProblem(problems, ':24:21', 'steps[0].group_by', 'give 1 field(s)');
  });

  it('refuses regexes that can backtrack catastrophically, and broken ones', () => {
    const problems = problemsOf(`rules:
  - id: r1
    title: T
    severity: low
    match:
      reason: { regex: "^(a+)+$" }
      action: { regex: "(x" }
      actor.id: { regex: "(a)\\\\1" }
`);
    hasProblem(problems, ':6:24', 'can backtrack exponentially');
    hasProblem(problems, ':7:24', 'does not compile');
    hasProblem(problems, ':8:26', 'backreferences');
  });

  it('checks calendars: time zones (with suggestions), hours, days and holidays', () => {
    const problems = problemsOf(`calendars:
  Office:
    hours: "08:00-18:00"
  office:
    time_zone: Europe/Berln
    days: [mon, tues]
    hours: "18:00-08:00"
    holidays: [2026-13-01]
rules: []
`);
    hasProblem(problems, ':3:5', 'calendars.Office', 'lower-case');
    // Mixed-case candidates are matched by edit distance too (not the first with a shared stem).
    hasProblem(problems, ':5:16', 'not an IANA time zone', 'did you mean "Europe/Berlin"');
    hasProblem(problems, ':6:17', 'a day "tues"', 'did you mean "tue"');
    hasProblem(problems, ':7:12', 'hours must look like "08:00-18:00"');
    hasProblem(problems, ':8:16', 'YYYY-MM-DD');
  });

  it('reads `{id, enabled}` alone as a switch for a rule of a lower layer', () => {
    const result = parseRules('rules:\n  - id: iso.role-grant\n    enabled: false\n', 'f.yaml');
    assert.ok(result.ok);
    assert.deepEqual(
      result.file.toggles.map((t) => [t.id, t.enabled]),
      [['iso.role-grant', false]],
    );
  });
});

describe('rule language: layers', () => {
  const pack = loadPack('iso27001');
  const packLayer = { layer: 'pack' as const, file: pack.file, text: pack.text };

  it('the built-in pack is valid and enabled by default', () => {
    const result = compileLayers([packLayer]);
    assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    assert.ok(result.ruleSet.active.length >= 9);
    assert.ok(result.ruleSet.active.every((r) => r.id.startsWith('iso.')));
    assert.deepEqual(result.ruleSet.packs, { iso27001: true });
  });

  it('a file replaces a pack rule by id, switches one off, overrides a calendar, or drops the pack', () => {
    const result = compileLayers([
      packLayer,
      {
        layer: 'file',
        file: 'mine.yaml',
        text: `calendars:
  working_hours: { time_zone: Europe/Berlin, hours: "09:00-17:00" }
rules:
  - { id: iso.role-grant, enabled: false }
  - id: iso.failed-sign-ins
    title: Mine
    severity: critical
    match: { action: x.sign_in, outcome: failure }
    threshold: { count: 3, window: 5m, group_by: [actor.id] }
`,
      },
    ]);
    assert.ok(result.ok);
    const byId = new Map(result.ruleSet.rules.map((r) => [r.id, r]));
    assert.equal(byId.get('iso.role-grant')!.enabled, false);
    assert.equal(byId.get('iso.role-grant')!.layer, 'pack');
    assert.equal(byId.get('iso.failed-sign-ins')!.title, 'Mine');
    assert.equal(byId.get('iso.failed-sign-ins')!.layer, 'file');
    assert.equal(result.ruleSet.calendars.working_hours!.time_zone, 'Europe/Berlin');

    const off = compileLayers([
      packLayer,
      { layer: 'file', file: 'off.yaml', text: 'packs: { iso27001: false }\n' },
    ]);
    assert.ok(off.ok);
    assert.equal(off.ruleSet.rules.length, 0);
  });

  it('refuses a switch for a rule no lower layer defines, and an unknown calendar', () => {
    const result = compileLayers([
      packLayer,
      {
        layer: 'api',
        file: 'api',
        text: `rules:
  - { id: iso.role-grnt, enabled: false }
  - id: mine
    title: T
    severity: low
    match: { action: a.b, off_hours: offce }
`,
      },
    ]);
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    hasProblem(
      problems,
      'api:2:5',
      'no earlier rule "iso.role-grnt"',
      'did you mean "iso.role-grant"',
    );
    hasProblem(problems, 'api:6:38', 'no calendar "offce"', 'known: working_hours');
  });
});
