import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Evaluator, type EvaluatorSnapshot } from '../../../src/monitor/engine/evaluator.js';
import type { NewAlert, ObservedEntry } from '../../../src/monitor/types.js';
import { EntryStream, rulesOf, T0 } from '../rules/helpers.js';

const MIN = 60_000;

const THRESHOLD = `rules:
  - id: failed
    title: Failed sign-ins
    severity: high
    match: { action: { suffix: .sign_in }, outcome: failure }
    threshold: { count: 5, window: 10m, group_by: [actor.id] }
`;

function run(evaluator: Evaluator, entries: ObservedEntry[]): NewAlert[] {
  return entries.flatMap((e) => evaluator.evaluate(e));
}

const failure = (s: EntryStream, atMs: number, actor = 'u-1', source = 'app') =>
  s.next({ atMs, source, actor: { id: actor }, action: 'auth.sign_in', outcome: 'failure' });

describe('evaluator: threshold', () => {
  it('N−1 entries in the window raise nothing; the N-th raises one alert with its entries', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD));
    const s = new EntryStream(100);
    const first = [0, 1, 2, 3].map((i) => failure(s, T0 + i * MIN));
    assert.deepEqual(run(ev, first), []);
    const [alert, ...rest] = ev.evaluate(failure(s, T0 + 9 * MIN));
    assert.equal(rest.length, 0);
    assert.deepEqual(alert, {
      key: 'failed:104',
      ruleId: 'failed',
      title: 'Failed sign-ins',
      description: '5 matching entries within 10m for actor.id=u-1.',
      severity: 'high',
      seqs: [100, 101, 102, 103, 104],
      sources: ['app'],
      group: { 'actor.id': 'u-1' },
      triggeredAtMs: T0 + 9 * MIN,
    });
  });

  it('an alert over several sources keeps each source its own seqs (for scoped readers)', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD));
    const s = new EntryStream(100);
    const sources = ['billing-api', 'hr-api', 'billing-api', 'hr-api', 'hr-api'];
    const alerts = run(
      ev,
      sources.map((source, i) => failure(s, T0 + i * MIN, 'u-1', source)),
    );
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.sources, ['billing-api', 'hr-api']);
    assert.deepEqual(alerts[0]!.seqsBySource, {
      'billing-api': [100, 102],
      'hr-api': [101, 103, 104],
    });
  });

  it('an entry exactly one window after the first has pushed the first out', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD));
    const s = new EntryStream();
    const times = [0, 1, 2, 3].map((i) => T0 + i * MIN);
    run(
      ev,
      times.map((t) => failure(s, t)),
    );
    // (t − 10m, t]: at T0 + 10m the entry at T0 is out, 4 remain.
    assert.deepEqual(ev.evaluate(failure(s, T0 + 10 * MIN)), []);
    // One millisecond less and it would still count: a fresh evaluator shows the edge.
    const edge = new Evaluator(rulesOf(THRESHOLD));
    const s2 = new EntryStream();
    run(
      edge,
      times.map((t) => failure(s2, t)),
    );
    assert.equal(edge.evaluate(failure(s2, T0 + 10 * MIN - 1)).length, 1);
  });

  it('counts per group, ignores non-matching entries and starts afresh after an alert', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD));
    const s = new EntryStream();
    const alerts: NewAlert[] = [];
    for (let i = 0; i < 4; i++) {
      alerts.push(...ev.evaluate(failure(s, T0 + i * 1000, 'u-1')));
      alerts.push(...ev.evaluate(failure(s, T0 + i * 1000, 'u-2')));
      alerts.push(
        ...ev.evaluate(s.next({ atMs: T0 + i * 1000, action: 'auth.sign_in', outcome: 'success' })),
      );
    }
    assert.equal(alerts.length, 0);
    alerts.push(...ev.evaluate(failure(s, T0 + 5000, 'u-2')));
    assert.deepEqual(
      alerts.map((a) => a.group),
      [{ 'actor.id': 'u-2' }],
    );
    // u-2 starts again from zero: four more raise nothing.
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(ev.evaluate(failure(s, T0 + 6000 + i, 'u-2')), []);
    }
  });

  it('distinct counting counts values, not entries', () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: spray
    title: Spraying
    severity: high
    match: { outcome: failure }
    threshold: { count: 3, distinct: actor.id, window: 1m, group_by: [actor.ip] }
`),
    );
    const s = new EntryStream();
    const from = (actor: string, atMs: number) =>
      s.next({ atMs, actor: { id: actor, ip: '10.0.0.9' }, outcome: 'failure' });
    assert.deepEqual(
      run(ev, [from('a', T0), from('a', T0 + 1), from('b', T0 + 2), from('b', T0 + 3)]),
      [],
    );
    const [alert] = ev.evaluate(from('c', T0 + 4));
    assert.equal(alert!.description, '3 distinct actor.id values within 1m for actor.ip=10.0.0.9.');
    // The latest entry of each value: a@1, b@3, c@4.
    assert.deepEqual(alert!.seqs, [1, 3, 4]);
  });

  it('entries missing a group field count in no group', () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: ip
    title: By IP
    severity: low
    match: { outcome: failure }
    threshold: { count: 1, window: 1m, group_by: [actor.ip] }
`),
    );
    const s = new EntryStream();
    assert.deepEqual(ev.evaluate(s.next({ atMs: T0, outcome: 'failure' })), []);
    assert.equal(
      ev.evaluate(s.next({ atMs: T0, outcome: 'failure', actor: { id: 'x', ip: '1.1.1.1' } }))
        .length,
      1,
    );
  });
});

describe('evaluator: suppression', () => {
  it('a flood of matching entries raises exactly one alert per group per window', () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: denied
    title: Denied
    severity: medium
    match: { outcome: denied }
    threshold: { count: 3, window: 1m, group_by: [actor.id] }
    suppress: 1h
  - id: each
    title: Each
    severity: low
    match: { outcome: denied }
    suppress: { window: 30m, group_by: [actor.id] }
`),
    );
    const s = new EntryStream();
    const flood: ObservedEntry[] = [];
    for (let i = 0; i < 5000; i++) {
      flood.push(s.next({ atMs: T0 + i * 100, actor: { id: `u-${i % 2}` }, outcome: 'denied' }));
    }
    const alerts = run(ev, flood);
    const byRule = (id: string) => alerts.filter((a) => a.ruleId === id);
    // Two actors, each raises once per rule in the 500 s flood.
    assert.equal(byRule('denied').length, 2);
    assert.equal(byRule('each').length, 2);
    assert.deepEqual(
      byRule('each').map((a) => a.key),
      ['each:0', 'each:1'],
    );
    // Just before the hour nothing; at one hour after the first alert, a second one.
    const firstAt = byRule('denied')[0]!.triggeredAtMs;
    const late = [0, 1, 2].map((i) =>
      s.next({ atMs: firstAt + 3_600_000 - 3 + i, actor: { id: 'u-0' }, outcome: 'denied' }),
    );
    assert.equal(run(ev, late).filter((a) => a.ruleId === 'denied').length, 0);
    const again = [0, 1, 2].map((i) =>
      s.next({ atMs: firstAt + 3_600_000 + i, actor: { id: 'u-0' }, outcome: 'denied' }),
    );
    assert.equal(run(ev, again).filter((a) => a.ruleId === 'denied').length, 1);
  });
});

describe('evaluator: sequence', () => {
  const GRANT_THEN_READ = `rules:
  - id: grant-read
    title: Grant then restricted read
    severity: medium
    sequence:
      window: 1h
      group_by: [actor.id]
      steps:
        - group_by: [target.id]
          match: { action: principal.role_grant }
        - match: { target.sensitivity: restricted }
`;

  it('A then B by the same person within the window; not after it; not B then A', () => {
    const ev = new Evaluator(rulesOf(GRANT_THEN_READ));
    const s = new EntryStream();
    const grant = (to: string, atMs: number) =>
      s.next({ atMs, actor: { id: 'admin' }, action: 'principal.role_grant', target: { id: to } });
    const read = (who: string, atMs: number) =>
      s.next({ atMs, actor: { id: who }, target: { id: 'vault', sensitivity: 'restricted' } });

    // B before A: nothing.
    assert.deepEqual(run(ev, [read('bob', T0), grant('bob', T0 + 1)]), []);
    // A then B by someone else: nothing; by bob within the hour: one alert.
    assert.deepEqual(ev.evaluate(read('carol', T0 + 2)), []);
    const [alert] = ev.evaluate(read('bob', T0 + 3_600_000));
    assert.ok(alert);
    assert.deepEqual(alert.seqs, [1, 3]);
    assert.deepEqual(alert.group, { 'actor.id': 'bob' });

    // Exactly one window after the grant is too late.
    const late = new Evaluator(rulesOf(GRANT_THEN_READ));
    const s2 = new EntryStream();
    late.evaluate(
      s2.next({
        atMs: T0,
        actor: { id: 'a' },
        action: 'principal.role_grant',
        target: { id: 'x' },
      }),
    );
    assert.deepEqual(
      late.evaluate(
        s2.next({
          atMs: T0 + 3_600_000,
          actor: { id: 'x' },
          target: { id: 'v', sensitivity: 'restricted' },
        }),
      ),
      [],
    );
  });

  const AFTER_FAILURES = `rules:
  - id: after-failures
    title: Success after failures
    severity: high
    sequence:
      window: 30m
      steps:
        - count: 3
          match: { action: auth.sign_in, outcome: failure }
        - match: { action: auth.sign_in, outcome: success }
`;

  it('a counted first step: three failures then a success, all within the window', () => {
    const ev = new Evaluator(rulesOf(AFTER_FAILURES));
    const s = new EntryStream();
    const at = (outcome: string, atMs: number) =>
      s.next({ atMs, action: 'auth.sign_in', outcome, actor: { id: 'eve' } });
    // Two failures then success: nothing.
    assert.deepEqual(
      run(ev, [at('failure', T0), at('failure', T0 + 1), at('success', T0 + 2)]),
      [],
    );
    // The third failure completes the first step; the earlier success does not count.
    assert.deepEqual(ev.evaluate(at('failure', T0 + 3)), []);
    const [alert] = ev.evaluate(at('success', T0 + 4));
    assert.deepEqual(alert!.seqs, [0, 1, 3, 4]);
  });

  it('a counted first step whose oldest entry left the window does not complete', () => {
    const ev = new Evaluator(rulesOf(AFTER_FAILURES));
    const s = new EntryStream();
    const at = (outcome: string, atMs: number) =>
      s.next({ atMs, action: 'auth.sign_in', outcome, actor: { id: 'eve' } });
    run(ev, [at('failure', T0), at('failure', T0 + MIN), at('failure', T0 + 2 * MIN)]);
    assert.deepEqual(ev.evaluate(at('success', T0 + 30 * MIN)), []);
    // With all three inside, it does.
    const ev2 = new Evaluator(rulesOf(AFTER_FAILURES));
    const s2 = new EntryStream();
    const at2 = (outcome: string, atMs: number) =>
      s2.next({ atMs, action: 'auth.sign_in', outcome, actor: { id: 'eve' } });
    run(ev2, [at2('failure', T0), at2('failure', T0 + MIN), at2('failure', T0 + 2 * MIN)]);
    assert.equal(ev2.evaluate(at2('success', T0 + 30 * MIN - 1)).length, 1);
  });

  it('one entry never serves two steps of a chain', () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: twice
    title: Two exports
    severity: low
    sequence:
      window: 10m
      steps:
        - match: { action: data.export }
        - match: { action: data.export }
`),
    );
    const s = new EntryStream();
    assert.deepEqual(ev.evaluate(s.next({ atMs: T0, action: 'data.export' })), []);
    assert.equal(ev.evaluate(s.next({ atMs: T0 + 1, action: 'data.export' })).length, 1);
  });
});

describe('evaluator: new value', () => {
  it('learns during the learning period, then alerts on a new network once', () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: new-net
    title: New network
    severity: medium
    match: { actor.ip: { exists: true } }
    new_value: { field: actor.ip, network: true, group_by: [source, actor.id], learning: 1d }
`),
    );
    const s = new EntryStream();
    const from = (ip: string, atMs: number, actor = 'key-1') =>
      s.next({ atMs, actor: { id: actor, ip } });
    const DAY = 86_400_000;
    assert.deepEqual(run(ev, [from('10.0.0.1', T0), from('10.0.1.1', T0 + DAY - 1)]), []);
    // After learning: a known network is quiet, a new /24 raises, and only once.
    assert.deepEqual(ev.evaluate(from('10.0.1.200', T0 + DAY)), []);
    const [alert] = ev.evaluate(from('192.0.2.5', T0 + DAY + 1));
    assert.match(alert!.description!, /actor\.ip network 192\.0\.2\.0\/24 not seen before/);
    assert.deepEqual(alert!.group, { source: 'app', 'actor.id': 'key-1' });
    assert.deepEqual(ev.evaluate(from('192.0.2.9', T0 + DAY + 2)), []);
    // Another credential has its own learning period.
    assert.deepEqual(ev.evaluate(from('203.0.113.1', T0 + DAY + 3, 'key-2')), []);
  });
});

describe('evaluator: state', () => {
  const MIXED = `rules:
  - id: th
    title: T
    severity: low
    match: { outcome: failure }
    threshold: { count: 3, window: 2m, group_by: [actor.id] }
    suppress: 5m
  - id: di
    title: D
    severity: low
    match: { outcome: failure }
    threshold: { count: 2, distinct: target.id, window: 3m }
  - id: sq
    title: S
    severity: low
    sequence:
      window: 4m
      steps:
        - match: { outcome: failure }
          count: 2
        - match: { outcome: success }
  - id: nv
    title: N
    severity: low
    match: { actor.ip: { exists: true } }
    new_value: { field: actor.ip, network: true, group_by: [actor.id], learning: 2m }
`;

  function stream(): ObservedEntry[] {
    const s = new EntryStream();
    const out: ObservedEntry[] = [];
    for (let i = 0; i < 300; i++) {
      // Deterministic pseudo-random: actors, outcomes, targets and networks cycle at different periods.
      out.push(
        s.next({
          atMs: T0 + i * 7_000,
          actor: { id: `u-${i % 3}`, ip: `10.0.${(i * 7) % 5}.${i % 250}` },
          outcome: i % 4 === 3 ? 'success' : 'failure',
          target: { id: `t-${i % 5}` },
        }),
      );
    }
    return out;
  }

  it('a restart from a snapshot at any point raises exactly what an uninterrupted run raises', () => {
    const entries = stream();
    const rules = rulesOf(MIXED);
    const straight = run(new Evaluator(rules), entries).map((a) => a.key);
    assert.ok(
      straight.length > 10,
      `only ${straight.length} alerts; the stream should exercise all kinds`,
    );
    for (const cut of [1, 17, 100, 151, 299]) {
      const before = new Evaluator(rules);
      const keys = run(before, entries.slice(0, cut)).map((a) => a.key);
      // Through JSON, as the engine persists it.
      const saved = JSON.parse(JSON.stringify(before.snapshot())) as EvaluatorSnapshot;
      const after = new Evaluator(rulesOf(MIXED), saved);
      keys.push(...run(after, entries.slice(cut)).map((a) => a.key));
      assert.deepEqual(keys, straight, `restart after ${cut} entries`);
    }
  });

  it('a rule change keeps the windows of unchanged rules and resets changed ones', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD));
    const s = new EntryStream();
    run(
      ev,
      [0, 1, 2, 3].map((i) => failure(s, T0 + i)),
    );
    // Same decision, new title: the four failures still count.
    ev.setRuleSet(rulesOf(THRESHOLD.replace('Failed sign-ins', 'Renamed')));
    const [alert] = ev.evaluate(failure(s, T0 + 5));
    assert.equal(alert!.title, 'Renamed');
    run(
      ev,
      [0, 1, 2, 3].map((i) => failure(s, T0 + 10 + i)),
    );
    // A different window: it starts from nothing.
    ev.setRuleSet(rulesOf(THRESHOLD.replace('window: 10m', 'window: 11m')));
    assert.deepEqual(ev.evaluate(failure(s, T0 + 20)), []);
  });

  it("skips the monitor's own alert events", () => {
    const ev = new Evaluator(
      rulesOf(`rules:
  - id: all-evident
    title: Anything from evident
    severity: low
    match: { source: evident }
`),
    );
    const s = new EntryStream();
    assert.deepEqual(
      ev.evaluate(s.next({ atMs: T0, source: 'evident', action: 'alert.raise' })),
      [],
    );
    assert.deepEqual(
      ev.evaluate(s.next({ atMs: T0, source: 'evident', action: 'alert.resolve' })),
      [],
    );
    assert.equal(
      ev.evaluate(s.next({ atMs: T0, source: 'evident', action: 'rules.update' })).length,
      1,
    );
    // Only Evident's own: a source may have its own "alert.*" actions.
    assert.deepEqual(
      run(
        new Evaluator(
          rulesOf(
            'rules:\n  - id: a\n    title: A\n    severity: low\n    match: { action: alert.raise }\n',
          ),
        ),
        [s.next({ atMs: T0, source: 'pager', action: 'alert.raise' })],
      ).length,
      1,
    );
  });

  it('bounds groups per rule, forgetting the least recently active first', () => {
    const ev = new Evaluator(rulesOf(THRESHOLD), undefined, {
      maxGroupsPerRule: 3,
      maxItemsPerRule: 1000,
    });
    const s = new EntryStream();
    // u-0 has 4 failures, then three other actors push it out.
    run(
      ev,
      [0, 1, 2, 3].map((i) => failure(s, T0 + i, 'u-0')),
    );
    run(
      ev,
      ['u-1', 'u-2', 'u-3'].map((a, i) => failure(s, T0 + 10 + i, a)),
    );
    const kept = ev.snapshot().rules.failed!.state as { buckets: [string, unknown[], number][] };
    assert.deepEqual(
      kept.buckets.map((g) => g[0]),
      ['u-1', 'u-2', 'u-3'],
    );
    assert.deepEqual(ev.evaluate(failure(s, T0 + 20, 'u-0')), []);
  });
});
