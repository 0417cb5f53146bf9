import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { call, type TestServer, testServer } from '../../support/test-server.js';
import {
  alertEvents,
  alertService,
  BILLING_SOURCE,
  HR_SOURCE,
  newAlert,
  ok,
  tokenFor,
} from './support.js';

type Headers = { authorization: string };
interface BulkJson {
  action: string;
  dry_run: boolean;
  matched: number;
  changed?: number;
  would_change?: number;
  already: number;
  refused: number;
  refusals: { id: string; reason: string }[];
  changed_ids?: string[];
}
interface AlertJson {
  id: string;
  state: string;
  assignee: string | null;
  assignee_name: string | null;
  resolution: { disposition: string; note: string } | null;
  history: { action: string; assignee?: string | null; assignee_name?: string | null }[];
}

describe('HTTP API: bulk alert triage', () => {
  let t: TestServer;
  let service: AlertService;
  let reviewer: Headers & { id: string };
  let billingReviewer: Headers & { id: string };
  let carl: Headers & { id: string };
  let auditor: Headers;
  let keySeq = 0;

  const raise = async (overrides: Parameters<typeof newAlert>[0] = {}) =>
    (await service.raise(newAlert({ key: `bulk-${++keySeq}`, ...overrides }))).id;
  const bulk = (query: string, who: Headers, body: unknown) =>
    call(t, 'POST', `/api/v1/alerts/bulk${query}`, who, body);
  const state = async (id: string) => (await service.get(id))!.value.state;
  const bulkEvents = async () =>
    (await t.log.store.search({ source: 'evident', limit: 1000 }))
      .map((e) => JSON.parse(e.record) as { action: string; details: Record<string, unknown> })
      .filter((r) => r.action === 'alert.bulk_handle');

  before(async () => {
    t = await testServer();
    service = alertService(t).service;
    reviewer = await tokenFor(t, 'rita', [{ role: 'reviewer' }]);
    billingReviewer = await tokenFor(t, 'bill', [{ role: 'reviewer', sources: ['billing-*'] }]);
    carl = await tokenFor(t, 'carl', [{ role: 'reviewer' }]);
    auditor = await tokenFor(t, 'audrey', [{ role: 'auditor' }]);
  });
  after(async () => {
    await t.close();
  });

  it('a dry run counts what would change and changes nothing', async () => {
    const ids = [
      await raise({ ruleId: 'r.dry' }),
      await raise({ ruleId: 'r.dry' }),
      await raise({ ruleId: 'r.dry' }),
    ];
    const res = ok<BulkJson>(
      await bulk('?rule=r.dry', reviewer, { action: 'acknowledge', dry_run: true }),
    );
    assert.deepEqual(
      { matched: res.matched, would: res.would_change, already: res.already, dry: res.dry_run },
      { matched: 3, would: 3, already: 0, dry: true },
    );
    for (const id of ids) assert.equal(await state(id), 'open');
  });

  it('acknowledges every match, one logged step each, and a repeat changes nothing', async () => {
    const ids = [await raise({ ruleId: 'r.ack' }), await raise({ ruleId: 'r.ack' })];
    const other = await raise({ ruleId: 'r.other' });
    const first = ok<BulkJson>(await bulk('?rule=r.ack', reviewer, { action: 'acknowledge' }));
    assert.equal(first.changed, 2);
    assert.deepEqual(new Set(first.changed_ids), new Set(ids));
    for (const id of ids) {
      assert.equal(await state(id), 'acknowledged');
      const acks = (await alertEvents(t, id)).filter(
        (e) => e.record.action === 'alert.acknowledge',
      );
      assert.equal(acks.length, 1);
      assert.equal(acks[0]!.record.actor.id, reviewer.id);
    }
    assert.equal(await state(other), 'open');
    const again = ok<BulkJson>(await bulk('?rule=r.ack', reviewer, { action: 'acknowledge' }));
    assert.deepEqual([again.changed, again.already, again.refused], [0, 2, 0]);
    for (const id of ids) {
      const acks = (await alertEvents(t, id)).filter(
        (e) => e.record.action === 'alert.acknowledge',
      );
      assert.equal(acks.length, 1, 'idempotent: no second event');
    }
    const summary = (await bulkEvents()).filter((e) => e.details.step === 'acknowledge');
    assert.equal(summary.length, 2);
    assert.deepEqual(summary[0]!.details.filter, { rule: 'r.ack' });
  });

  it('resolves with one disposition and note; acknowledging a resolved alert is refused, not an error', async () => {
    const open = await raise({ ruleId: 'r.res', group: { 'actor.id': 'u-7' } });
    const acked = await raise({ ruleId: 'r.res', group: { 'actor.id': 'u-7' } });
    const elsewhere = await raise({ ruleId: 'r.res', group: { 'actor.id': 'u-8' } });
    await service.handle(acked, { action: 'acknowledge' }, { kind: 'person', id: 'x' });
    const res = ok<BulkJson>(
      await bulk('?rule=r.res&group=actor.id%3Du-7', reviewer, {
        action: 'resolve',
        disposition: 'false_positive',
        note: 'import of last month',
      }),
    );
    assert.deepEqual([res.matched, res.changed, res.already], [2, 2, 0]);
    for (const id of [open, acked]) {
      const alert = (await service.get(id))!.value;
      assert.equal(alert.state, 'resolved');
      assert.deepEqual(
        { d: alert.resolution?.disposition, n: alert.resolution?.note },
        { d: 'false_positive', n: 'import of last month' },
      );
    }
    assert.equal(await state(elsewhere), 'open');
    const ack = ok<BulkJson>(await bulk('?rule=r.res', reviewer, { action: 'acknowledge' }));
    assert.deepEqual([ack.matched, ack.changed, ack.refused], [3, 1, 2]);
    assert.match(ack.refusals[0]!.reason, /resolved/);
  });

  it('a scoped reviewer neither sees nor touches alerts outside their sources', async () => {
    const billing = await raise({ ruleId: 'r.scope', sources: [BILLING_SOURCE] });
    const hr = await raise({ ruleId: 'r.scope', sources: [HR_SOURCE] });
    const res = ok<BulkJson>(
      await bulk('?rule=r.scope', billingReviewer, { action: 'acknowledge' }),
    );
    assert.deepEqual([res.matched, res.changed], [1, 1]);
    assert.deepEqual(res.changed_ids, [billing]);
    assert.equal(await state(hr), 'open');
    const named = ok<BulkJson>(
      await bulk(`?source=${HR_SOURCE}`, billingReviewer, { action: 'acknowledge' }),
    );
    assert.deepEqual([named.matched, named.changed, named.refused], [0, 0, 0]);
    assert.equal(await state(hr), 'open');
  });

  it('more matches than max is a 400 before anything changes', async () => {
    const ids = [
      await raise({ ruleId: 'r.cap' }),
      await raise({ ruleId: 'r.cap' }),
      await raise({ ruleId: 'r.cap' }),
    ];
    const res = await bulk('?rule=r.cap', reviewer, { action: 'acknowledge', max: 2 });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(JSON.parse(res.body).error.path, 'max');
    assert.equal(JSON.parse(res.body).error.reason, 'too_many_matches');
    for (const id of ids) assert.equal(await state(id), 'open');
  });

  it('refuses bad requests with a message that says what to fix', async () => {
    const cases: [string, unknown, string | undefined, RegExp][] = [
      ['', { action: 'acknowledge' }, undefined, /needs a filter/],
      ['?rule=x', {}, 'action', /"action" is required/],
      ['?rule=x', { action: 'delete' }, 'action', /"action" is required/],
      ['?rule=x', { action: 'resolve', note: 'n' }, 'disposition', /disposition/],
      ['?rule=x', { action: 'resolve', disposition: 'benign' }, 'note', /"note" is required/],
      ['?rule=x', { action: 'acknowledge', note: 'n' }, 'note', /belongs to "resolve"/],
      ['?rule=x', { action: 'acknowledge', max: 0 }, 'max', /"max" must be/],
      ['?rule=x', { action: 'acknowledge', max: 5000 }, 'max', /"max" must be/],
      ['?rule=x', { action: 'acknowledge', dry_run: 'yes' }, 'dry_run', /true or false/],
      ['?rule=x', { action: 'acknowledge', dryrun: true }, 'dryrun', /did you mean "dry_run"/],
      ['?group=actor.id', { action: 'acknowledge' }, 'group', /FIELD=VALUE/],
      ['?rul=x', { action: 'acknowledge' }, 'rul', /unknown query parameter/],
      ['?from=yesterday', { action: 'acknowledge' }, 'from', /RFC 3339/],
    ];
    for (const [query, body, path, message] of cases) {
      const res = await bulk(query, reviewer, body);
      assert.equal(res.statusCode, 400, `${query} ${JSON.stringify(body)}: ${res.body}`);
      const error = JSON.parse(res.body).error;
      assert.equal(error.path, path, res.body);
      assert.match(error.message, message);
    }
    const res = await bulk('?rule=x', auditor, { action: 'acknowledge' });
    assert.equal(res.statusCode, 403);
  });

  it('filters by assignee name and shows assignees by name, keeping the id', async () => {
    const id = await raise({ ruleId: 'r.assign' });
    await raise({ ruleId: 'r.assign' });
    ok(await call(t, 'POST', `/api/v1/alerts/${id}/assign`, reviewer, { assignee: 'carl' }));
    const list = ok<{ alerts: AlertJson[] }>(
      await call(t, 'GET', '/api/v1/alerts?assignee=carl', reviewer),
    );
    assert.deepEqual(
      list.alerts.map((a) => [a.id, a.assignee, a.assignee_name]),
      [[id, carl.id, 'carl']],
    );
    const byId = ok<{ alerts: AlertJson[] }>(
      await call(t, 'GET', `/api/v1/alerts?assignee=${carl.id}`, reviewer),
    );
    assert.deepEqual(
      byId.alerts.map((a) => a.id),
      [id],
    );
    const nobody = ok<{ alerts: AlertJson[] }>(
      await call(t, 'GET', '/api/v1/alerts?assignee=no-such-person', reviewer),
    );
    assert.equal(nobody.alerts.length, 0);
    const shown = ok<AlertJson>(await call(t, 'GET', `/api/v1/alerts/${id}`, reviewer));
    assert.equal(shown.assignee_name, 'carl');
    const step = shown.history.find((h) => h.action === 'assign')!;
    assert.deepEqual([step.assignee, step.assignee_name], [carl.id, 'carl']);
    const res = ok<BulkJson>(
      await bulk('?assignee=carl', carl, {
        action: 'resolve',
        disposition: 'benign',
        note: 'checked',
      }),
    );
    assert.deepEqual(res.changed_ids, [id]);
  });
});
