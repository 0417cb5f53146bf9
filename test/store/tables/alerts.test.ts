import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ulid } from 'ulid';
import { ALL_SOURCES, type SourceScope } from '../../../src/access/authorization/source-scope.js';
import type { AlertRecord } from '../../../src/monitor/alerts/alert.js';
import type { AlertFilter } from '../../../src/monitor/alerts/alert-filter.js';
import { ALERT_SEVERITIES, ALERT_STATES } from '../../../src/monitor/types.js';
import type { Store } from '../../../src/store/store.js';
import { alertIdForKey, claimAlertKey } from '../../../src/store/tables/alerts/alert-keys-table.js';
import {
  alertById,
  alertPage,
  alertSpan,
  alertsAscending,
  alertTallies,
  insertAlert,
  updateAlert,
} from '../../../src/store/tables/alerts/alerts-table.js';
import { STORES } from '../../support/stores.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const SOURCES = ['billing-api', 'billing-batch', 'hr-api', 'crm'];

/** Alert i of a varied set: every state, severity, rule, source mix, assignee and group. */
function alert(i: number): AlertRecord {
  const raisedAtMs = T0 + i * 60_000;
  const id = ulid(raisedAtMs);
  const state = ALERT_STATES[i % 3]!;
  const sources = i % 5 === 0 ? [SOURCES[i % 4]!, SOURCES[(i + 2) % 4]!].sort() : [SOURCES[i % 4]!];
  const seqs = [i * 10, i * 10 + 1];
  return {
    id,
    key: `k-${i}`,
    ruleId: `rule-${i % 4}`,
    title: `alert ${i}`,
    ...(i % 2 === 0 ? { description: `described ${i}` } : {}),
    severity: ALERT_SEVERITIES[i % 4]!,
    seqs,
    seqCount: i % 7 === 0 ? 1500 : 2,
    sources,
    ...(sources.length > 1
      ? { seqsBySource: { [sources[0]!]: [seqs[0]!], [sources[1]!]: [seqs[1]!] } }
      : {}),
    ...(i % 3 === 0 ? { group: { 'actor.id': `u-${i % 2}` } } : {}),
    triggeredAtMs: raisedAtMs - 5,
    raisedAtMs,
    state,
    assignee: i % 4 === 1 ? 'acct-rita' : null,
    acknowledgedAtMs: state === 'open' ? null : raisedAtMs + 1000 * (i + 1),
    acknowledgedBy: state === 'open' ? null : 'acct-rita',
    resolvedAtMs: state === 'resolved' ? raisedAtMs + 5000 * (i + 1) : null,
    resolution:
      state === 'resolved' ? { disposition: 'benign', note: `note ${i}`, by: 'acct-rita' } : null,
    history: [
      {
        action: 'raise',
        eventId: id,
        seq: null,
        atMs: raisedAtMs,
        by: { kind: 'system', id: 'monitor' },
        from: null,
        to: 'open',
      },
    ],
  };
}

/** The filter's meaning, spelled out in JS: what every SQL answer must agree with. */
function matches(a: AlertRecord, f: AlertFilter, scope: SourceScope): boolean {
  const inScope = (s: string) =>
    scope.all || scope.exact.includes(s) || scope.prefixes.some((p) => s.startsWith(p));
  const sourceOfSeq = (seq: number) =>
    a.seqsBySource
      ? Object.entries(a.seqsBySource).find(([, list]) => list.includes(seq))?.[0]
      : a.sources.length === 1
        ? a.sources[0]
        : undefined;
  return (
    a.sources.some(inScope) &&
    (f.state === undefined || a.state === f.state) &&
    (f.severity === undefined || a.severity === f.severity) &&
    (f.rule === undefined || a.ruleId === f.rule) &&
    (f.source === undefined || (inScope(f.source) && a.sources.includes(f.source))) &&
    (f.assignee === undefined || a.assignee === f.assignee) &&
    (f.group === undefined || a.group?.[f.group.field] === f.group.value) &&
    (f.fromMs === undefined || a.raisedAtMs >= f.fromMs) &&
    (f.toMs === undefined || a.raisedAtMs <= f.toMs) &&
    (f.eventSeq === undefined ||
      (a.seqs.includes(f.eventSeq) &&
        (scope.all ||
          (sourceOfSeq(f.eventSeq) !== undefined && inScope(sourceOfSeq(f.eventSeq)!)))))
  );
}

const N = 60;
const ALERTS = Array.from({ length: N }, (_, i) => alert(i));
const BILLING: SourceScope = { all: false, exact: [], prefixes: ['billing-'] };
const CRM: SourceScope = { all: false, exact: ['crm'], prefixes: [] };

const CASES: [string, AlertFilter, SourceScope][] = [
  ['everything', {}, ALL_SOURCES],
  ['state', { state: 'open' }, ALL_SOURCES],
  ['state and source', { state: 'acknowledged', source: 'hr-api' }, ALL_SOURCES],
  ['severity and rule', { severity: 'high', rule: 'rule-2' }, ALL_SOURCES],
  ['assignee', { assignee: 'acct-rita' }, ALL_SOURCES],
  ['group', { group: { field: 'actor.id', value: 'u-1' } }, ALL_SOURCES],
  ['time range', { fromMs: T0 + 10 * 60_000, toMs: T0 + 20 * 60_000 }, ALL_SOURCES],
  ['event seq', { eventSeq: 101 }, ALL_SOURCES],
  ['scoped by prefix', {}, BILLING],
  ['scoped, a source of theirs', { source: 'billing-batch' }, BILLING],
  ['scoped, a source not theirs', { source: 'hr-api' }, BILLING],
  ['scoped exact, an event seq of theirs', { eventSeq: 200 }, CRM],
  ['scoped exact, an event seq of another source', { eventSeq: 201 }, CRM],
];

for (const factory of STORES) {
  describe(`alert tables (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.transaction(async (tx) => {
        for (const a of ALERTS) await insertAlert(tx, a, T0);
      });
    });
    after(async () => {
      await dispose();
    });

    it('reads an alert back as written, its step seq from the log (none here)', async () => {
      for (const a of [ALERTS[0]!, ALERTS[5]!, ALERTS[7]!]) {
        assert.deepEqual(await alertById(store.state, a.id), { ...a, version: 1 });
      }
      assert.equal(await alertById(store.state, ulid()), undefined);
    });

    for (const [name, filter, scope] of CASES) {
      it(`filters and pages in SQL: ${name}`, async () => {
        const want = ALERTS.filter((a) => matches(a, filter, scope))
          .map((a) => a.id)
          .reverse();
        const got: string[] = [];
        let before: string | undefined;
        for (;;) {
          const page = await alertPage(store.state, {
            filter,
            scope,
            limit: 7,
            ...(before !== undefined ? { before } : {}),
          });
          got.push(...page.map((a) => a.id));
          if (page.length < 7) break;
          before = page.at(-1)!.id;
        }
        assert.deepEqual(got, want);
        const span = await alertSpan(store.state, filter, scope);
        assert.deepEqual(span, {
          count: want.length,
          firstId: want.at(-1) ?? null,
          lastId: want[0] ?? null,
        });
        if (span.lastId !== null) {
          const ascending = await alertsAscending(store.state, {
            filter,
            scope,
            upTo: span.lastId,
            limit: 1000,
          });
          assert.deepEqual(
            ascending.map((a) => a.id),
            [...want].reverse(),
          );
        }
      });
    }

    it('sums response times per severity, state and disposition', async () => {
      const tallies = await alertTallies(store.state, {}, BILLING);
      const mine = ALERTS.filter((a) => matches(a, {}, BILLING));
      assert.equal(
        tallies.reduce((n, t) => n + t.alerts, 0),
        mine.length,
      );
      const acked = mine.filter((a) => a.acknowledgedAtMs !== null);
      assert.equal(
        tallies.reduce((n, t) => n + t.ackTotalMs, 0),
        acked.reduce((n, a) => n + a.acknowledgedAtMs! - a.raisedAtMs, 0),
      );
      const resolved = mine.filter((a) => a.state === 'resolved');
      assert.equal(
        tallies.reduce((n, t) => n + t.resolved, 0),
        resolved.length,
      );
      assert.equal(
        tallies.reduce((n, t) => n + t.resolveTotalMs, 0),
        resolved.reduce((n, a) => n + a.resolvedAtMs! - a.raisedAtMs, 0),
      );
    });

    it('changes an alert only at the version it was read at', async () => {
      const a = ALERTS[3]!;
      const stamp = a.raisedAtMs + 9000;
      const step = {
        action: 'comment' as const,
        eventId: ulid(stamp),
        seq: null,
        atMs: stamp,
        by: {
          kind: 'person' as const,
          id: 'acct-rita',
          name: 'rita',
          credential: 'token' as const,
        },
        from: a.state,
        to: a.state,
        text: 'looking',
      };
      const next = { ...a, history: [...a.history, step] };
      const written = await store.transaction((tx) => updateAlert(tx, next, 1, step, stamp));
      assert.equal(written, true);
      const stale = await store.transaction((tx) => updateAlert(tx, next, 1, step, stamp));
      assert.equal(stale, false, 'version 1 is gone');
      assert.deepEqual(await alertById(store.state, a.id), { ...next, version: 2 });
    });

    it("pages by source and state from the alert's current state", async () => {
      const a = ALERTS.find((x) => x.state === 'open' && x.sources.length > 1)!;
      const byState = async (state: AlertRecord['state'], source: string) =>
        (
          await alertPage(store.state, {
            filter: { state, source },
            scope: ALL_SOURCES,
            limit: 100,
          })
        )
          .map((x) => x.id)
          .includes(a.id);
      for (const source of a.sources) assert.equal(await byState('open', source), true, source);
      const stamp = a.raisedAtMs + 9000;
      const step = {
        action: 'acknowledge' as const,
        eventId: ulid(stamp),
        seq: null,
        atMs: stamp,
        by: {
          kind: 'person' as const,
          id: 'acct-rita',
          name: 'rita',
          credential: 'token' as const,
        },
        from: 'open' as const,
        to: 'acknowledged' as const,
      };
      const next: AlertRecord = {
        ...a,
        state: 'acknowledged',
        acknowledgedAtMs: stamp,
        acknowledgedBy: 'acct-rita',
        history: [...a.history, step],
      };
      // A change that rolls back leaves the source rows at the old state too.
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await updateAlert(tx, next, 1, step, stamp), true);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      for (const source of a.sources) assert.equal(await byState('open', source), true, source);
      assert.equal(await store.transaction((tx) => updateAlert(tx, next, 1, step, stamp)), true);
      for (const source of a.sources) {
        assert.equal(await byState('open', source), false, source);
        assert.equal(await byState('acknowledged', source), true, source);
      }
    });

    it('claims a raise key once', async () => {
      assert.equal(await claimAlertKey(store.state, 'key-1', ALERTS[0]!.id, T0), true);
      assert.equal(await claimAlertKey(store.state, 'key-1', ALERTS[1]!.id, T0), false);
      assert.equal(await alertIdForKey(store.state, 'key-1'), ALERTS[0]!.id);
      assert.equal(await alertIdForKey(store.state, 'key-2'), undefined);
    });
  });
}
