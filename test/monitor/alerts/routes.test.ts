import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ulid } from 'ulid';
import type { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { registeredRoutes } from '../../../src/server/app.js';
import { ALERT_CSV_COLUMNS } from '../../../src/server/presenters/alert.js';
import { insertAlert } from '../../../src/store/tables/alerts/alerts-table.js';
import { call, type TestServer, testServer } from '../../support/test-server.js';
import {
  alertEvents,
  alertService,
  BILLING_SOURCE,
  HR_SOURCE,
  newAlert,
  ok,
  storedAlert,
  tokenFor,
} from './support.js';

type Headers = { authorization: string };
interface AlertJson {
  id: string;
  state: string;
  severity: string;
  sources: string[];
  assignee: string | null;
  raise_seq: number | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolution: { disposition: string; note: string; by: string } | null;
  history: {
    action: string;
    at: string;
    by: { id: string; type: string; name?: string };
    event_id: string;
    seq: number | null;
    from: string | null;
    to: string;
    disposition?: string;
    note?: string;
    assignee?: string | null;
    text?: string;
  }[];
}
interface ListJson {
  alerts: AlertJson[];
  next_cursor: string | null;
}
interface EventPage {
  entries: { seq: number; record: Record<string, unknown> & { action: string } }[];
}

describe('HTTP API: alerts and their handling', () => {
  let t: TestServer;
  let service: AlertService;
  let reviewer: Headers & { id: string };
  let colleague: Headers & { id: string };
  let billingReviewer: Headers & { id: string };
  let auditor: Headers & { id: string };
  let admin: Headers & { id: string };
  let keySeq = 0;

  const raise = async (overrides: Parameters<typeof newAlert>[0] = {}) =>
    (await service.raise(newAlert({ key: `k-${++keySeq}`, ...overrides }))).id;
  const post = (id: string, step: string, who: Headers, body?: unknown) =>
    call(t, 'POST', `/api/v1/alerts/${id}/${step}`, who, body);
  const get = (url: string, who: Headers) => call(t, 'GET', url, who);

  before(async () => {
    t = await testServer();
    service = alertService(t).service;
    reviewer = await tokenFor(t, 'rita', [{ role: 'reviewer' }]);
    colleague = await tokenFor(t, 'carl', [{ role: 'reviewer' }]);
    billingReviewer = await tokenFor(t, 'bill', [{ role: 'reviewer', sources: ['billing-*'] }]);
    auditor = await tokenFor(t, 'audrey', [{ role: 'auditor' }]);
    admin = await tokenFor(t, 'adam', [{ role: 'admin' }]);
    await tokenFor(t, 'hank', [{ role: 'reviewer', sources: [HR_SOURCE] }]);
  });
  after(async () => {
    await t.close();
  });

  it('acknowledge, assign, comment, resolve: each step in the alert and in the log, in order', async () => {
    const id = await raise();
    const steps: [string, unknown][] = [
      ['acknowledge', undefined],
      ['assign', { assignee: 'carl' }],
      ['comments', { text: 'password spraying from one address; blocked at the edge' }],
      ['resolve', { disposition: 'true_positive', note: 'blocked 203.0.113.7; user reset' }],
    ];
    let last: AlertJson | undefined;
    for (const [step, body] of steps) {
      t.clock.advance(60_000);
      last = ok<AlertJson>(await post(id, step, reviewer, body));
    }
    const alert = ok<AlertJson>(await get(`/api/v1/alerts/${id}`, auditor));
    assert.deepEqual(alert, last, 'the answer of the last step is the alert as stored');
    assert.equal(alert.state, 'resolved');
    assert.equal(alert.assignee, colleague.id, 'assigned by name, stored as the account id');
    assert.deepEqual(alert.resolution, {
      disposition: 'true_positive',
      note: 'blocked 203.0.113.7; user reset',
      by: reviewer.id,
    });
    assert.equal(alert.acknowledged_at, '2026-11-22T09:01:00.000Z');
    assert.equal(alert.resolved_at, '2026-11-22T09:04:00.000Z');
    assert.deepEqual(
      alert.history.map((h) => [h.action, h.from, h.to, h.by.id]),
      [
        ['raise', null, 'open', 'monitor'],
        ['acknowledge', 'open', 'acknowledged', reviewer.id],
        ['assign', 'acknowledged', 'acknowledged', reviewer.id],
        ['comment', 'acknowledged', 'acknowledged', reviewer.id],
        ['resolve', 'acknowledged', 'resolved', reviewer.id],
      ],
    );

    // The auditor's view of the log: source evident, the alert's events in order.
    const page = ok<EventPage>(
      await get(`/api/v1/events?source=evident&target=${id}&limit=50`, auditor),
    );
    const all = page.entries.reverse();
    // The auditor's read of the alert just above is itself in the log, after the steps.
    assert.equal(all.at(-1)!.record.action, 'alert.read');
    const events = all.filter((e) => e.record.action !== 'alert.read');
    assert.deepEqual(
      events.map((e) => e.record.action),
      ['alert.raise', 'alert.acknowledge', 'alert.assign', 'alert.comment', 'alert.resolve'],
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      alert.history.map((h) => h.seq),
      "each step's seq is its event",
    );
    assert.deepEqual(
      events.map((e) => e.record.id),
      alert.history.map((h) => h.event_id),
    );
    const actor = events[1]!.record.actor as Record<string, string>;
    assert.equal(actor.id, reviewer.id);
    assert.equal(actor.name, 'rita');
    assert.equal(actor.type, 'person');
    assert.equal(typeof actor.ip, 'string', 'the address the step came from');
    const common = { rule: 'iso27001.failed_sign_ins', severity: 'high' };
    assert.deepEqual(
      events.slice(1).map((e) => e.record.details),
      [
        { ...common, from: 'open' },
        { ...common, state: 'acknowledged', assignee: colleague.id },
        {
          ...common,
          state: 'acknowledged',
          text: 'password spraying from one address; blocked at the edge',
        },
        {
          ...common,
          from: 'acknowledged',
          disposition: 'true_positive',
          note: 'blocked 203.0.113.7; user reset',
        },
      ],
    );
    assert.deepEqual(events[4]!.record.target, { type: 'alert', id });
  });

  it('resolving needs a disposition and a note; bodies are strict', async () => {
    const id = await raise();
    const cases: [unknown, string, RegExp][] = [
      [{ note: 'fine' }, 'disposition', /"disposition" is required.*true_positive/],
      [{ disposition: 'true_positive' }, 'note', /"note" is required/],
      [{ disposition: 'maybe', note: 'x' }, 'disposition', /must be one of true_positive/],
      [{ disposition: 'benign', note: '   ' }, 'note', /1–2000 characters/],
      [{ disposition: 'benign', note: 'x'.repeat(2001) }, 'note', /1–2000/],
      [{ disposition: 'benign', note: 'ok', notes: 'x' }, 'notes', /unknown field "notes"/],
      [{ disposition: 'benign', note: 'a\u0000b' }, 'note', /no NUL/],
      ['{"disposition":', '$', /not valid JSON/],
      ['[]', '$', /must be a JSON object/],
    ];
    for (const [body, path, message] of cases) {
      const res = await post(id, 'resolve', reviewer, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      const error = res.json().error;
      assert.equal(error.code, 'bad_request');
      assert.equal(error.path, path, JSON.stringify(body));
      assert.match(error.message, message);
    }
    const res = await post(id, 'resolve', reviewer);
    assert.equal(res.statusCode, 400, 'no body at all');
    const still = ok<AlertJson>(await get(`/api/v1/alerts/${id}`, reviewer));
    assert.equal(still.state, 'open');
    assert.equal(still.history.length, 1, 'refused input changes nothing');
    assert.equal((await alertEvents(t, id)).length, 1, 'and logs nothing');
    assert.equal((await post(id, 'acknowledge', reviewer, { note: 'x' })).statusCode, 400);
  });

  it('wrong transitions are 409s that say the current state', async () => {
    const id = await raise();
    assert.match(
      (await post(id, 'reopen', reviewer, { note: 'why' })).json().error.message,
      /is open; only an alert that is resolved can be reopened/,
    );
    ok(await post(id, 'acknowledge', reviewer));
    const twice = await post(id, 'acknowledge', colleague);
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'conflict');
    assert.match(
      twice.json().error.message,
      /is acknowledged \(by rita at 2026-.*Z\); only an alert that is open can be acknowledged/,
    );
    ok(await post(id, 'resolve', reviewer, { disposition: 'benign', note: 'a test run' }));
    for (const [step, body] of [
      ['resolve', { disposition: 'benign', note: 'again' }],
      ['acknowledge', undefined],
      ['assign', { assignee: 'carl' }],
    ] as const) {
      const res = await post(id, step, reviewer, body);
      assert.equal(res.statusCode, 409, step);
      assert.equal(res.json().error.reason, 'alert_not_in_state');
    }
    // Comments are always welcome: evidence gathered after the fact.
    ok(await post(id, 'comments', reviewer, { text: 'post-incident review done' }));
    // Reopen, resolve again; the first resolution stays in the history.
    const reopened = ok<AlertJson>(
      await post(id, 'reopen', colleague, { note: 'same address is back' }),
    );
    assert.equal(reopened.state, 'open');
    assert.equal(reopened.resolution, null);
    assert.notEqual(reopened.acknowledged_at, null, 'the first response is kept');
    const resolved = ok<AlertJson>(
      await post(id, 'resolve', colleague, { disposition: 'true_positive', note: 'blocked' }),
    );
    assert.deepEqual(
      resolved.history.map((h) => [h.action, h.disposition ?? null]),
      [
        ['raise', null],
        ['acknowledge', null],
        ['resolve', 'benign'],
        ['comment', null],
        ['reopen', null],
        ['resolve', 'true_positive'],
      ],
    );
    assert.equal((await alertEvents(t, id)).length, 6, 'refused steps are not logged');
  });

  it('two reviewers acknowledging at once: one 200, one 409, one event', async () => {
    const id = await raise();
    const results = await Promise.all([
      post(id, 'acknowledge', reviewer),
      post(id, 'acknowledge', colleague),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
    const alert = ok<AlertJson>(await get(`/api/v1/alerts/${id}`, reviewer));
    assert.deepEqual(
      alert.history.map((h) => h.action),
      ['raise', 'acknowledge'],
    );
    const events = await alertEvents(t, id);
    assert.deepEqual(
      events.map((e) => e.record.action),
      ['alert.raise', 'alert.acknowledge'],
    );
  });

  it('concurrent comments are all kept', async () => {
    const id = await raise();
    const texts = Array.from({ length: 6 }, (_, i) => `note ${i}`);
    const results = await Promise.all(
      texts.map((text, i) => post(id, 'comments', i % 2 ? reviewer : colleague, { text })),
    );
    assert.deepEqual(
      results.map((r) => r.statusCode),
      texts.map(() => 200),
    );
    const alert = ok<AlertJson>(await get(`/api/v1/alerts/${id}`, reviewer));
    assert.deepEqual(
      alert.history
        .map((h) => h.text)
        .filter(Boolean)
        .sort(),
      texts,
    );
    assert.ok(alert.history.every((h) => h.seq !== null));
    assert.equal((await alertEvents(t, id)).length, 7);
  });

  it('assigning checks the assignee: active, and a reviewer over one of its sources', async () => {
    const id = await raise({ sources: [BILLING_SOURCE] });
    const refused = async (assignee: unknown, message: RegExp) => {
      const res = await post(id, 'assign', reviewer, { assignee });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.path, 'assignee');
      assert.match(res.json().error.message, message);
    };
    // One answer whether the account is missing or cannot handle the alert: a reviewer must
    // not learn which account names exist.
    const answers: string[] = [];
    for (const name of ['nobody-here', 'audrey', 'hank']) {
      const res = await post(id, 'assign', reviewer, { assignee: name });
      assert.equal(res.statusCode, 400, res.body);
      answers.push(res.body.replaceAll(name, 'NAME'));
    }
    assert.equal(new Set(answers).size, 1, answers.join('\n'));
    await refused('hank', /no active account "hank" can handle this alert/);
    await refused(42, /"assignee" must be a string/);
    const missing = await post(id, 'assign', reviewer, {});
    assert.equal(missing.json().error.path, 'assignee');
    ok(await post(id, 'assign', reviewer, { assignee: 'bill' }));
    const same = await post(id, 'assign', reviewer, { assignee: billingReviewer.id });
    assert.equal(same.statusCode, 409);
    assert.equal(same.json().error.reason, 'alert_assignee_unchanged');
    const cleared = ok<AlertJson>(await post(id, 'assign', reviewer, { assignee: null }));
    assert.equal(cleared.assignee, null);
  });

  it('a scoped reviewer sees and handles only alerts with a source in scope', async () => {
    const billing = await raise({ sources: [BILLING_SOURCE] });
    const hr = await raise({ sources: [HR_SOURCE] });
    const both = await raise({ sources: [BILLING_SOURCE, HR_SOURCE] });
    const listed = ok<ListJson>(await get('/api/v1/alerts?limit=500', billingReviewer));
    const ids = listed.alerts.map((a) => a.id);
    assert.ok(ids.includes(billing) && ids.includes(both));
    assert.ok(!ids.includes(hr));
    assert.ok(listed.alerts.every((a) => a.sources.some((s) => s.startsWith('billing-'))));
    for (const res of [
      await get(`/api/v1/alerts/${hr}`, billingReviewer),
      await post(hr, 'acknowledge', billingReviewer),
      await post(hr, 'comments', billingReviewer, { text: 'x' }),
    ]) {
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.message, `no alert ${hr}`);
      assert.equal(res.json().error.reason, 'not_found');
    }
    ok(await post(both, 'acknowledge', billingReviewer));
    const unknown = await get('/api/v1/alerts/01KC0000000000000000000000', billingReviewer);
    assert.equal(unknown.json().error.message, 'no alert 01KC0000000000000000000000');
    assert.equal(unknown.json().error.reason, 'not_found');
    const exported = await get('/api/v1/alerts/export', billingReviewer);
    assert.ok(!exported.body.includes(hr));
    assert.ok(exported.body.includes(both));
  });

  it('auditors read but do not handle; admins neither; anonymous is 401', async () => {
    const id = await raise();
    ok(await get('/api/v1/alerts', auditor));
    ok(await get(`/api/v1/alerts/${id}`, auditor));
    for (const [step, body] of [
      ['acknowledge', undefined],
      ['resolve', { disposition: 'benign', note: 'x' }],
      ['assign', { assignee: 'carl' }],
      ['comments', { text: 'x' }],
      ['reopen', { note: 'x' }],
    ] as const) {
      const res = await post(id, step, auditor, body);
      assert.equal(res.statusCode, 403, step);
      assert.equal(res.json().error.reason, 'role_required');
    }
    for (const url of [
      '/api/v1/alerts',
      `/api/v1/alerts/${id}`,
      '/api/v1/alerts/export',
      '/api/v1/alerts/metrics',
    ]) {
      const res = await get(url, admin);
      assert.equal(res.statusCode, 403, url);
      // The bootstrap token holds admin and auditor (src/access/authentication/bootstrap.ts): it reads.
      assert.equal((await get(url, t.admin)).statusCode, 200, `${url} with the bootstrap token`);
      assert.equal((await get(url, { authorization: '' })).statusCode, 401, url);
    }
    assert.equal((await post(id, 'acknowledge', admin)).statusCode, 403);
    assert.equal((await post(id, 'acknowledge', t.admin)).statusCode, 403);
    const ingest = await t.ingestKey(BILLING_SOURCE);
    assert.equal((await get('/api/v1/alerts', ingest)).statusCode, 403);
  });

  it('lists filter strictly and page by cursor, newest first', async () => {
    const local = await testServer();
    try {
      const s = alertService(local).service;
      const who = await tokenFor(local, 'rita', [{ role: 'reviewer' }]);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        local.clock.advance(60_000);
        ids.push(
          (
            await s.raise(
              newAlert({
                key: `f-${i}`,
                ruleId: i % 2 ? 'rule.odd' : 'rule.even',
                severity: i < 3 ? 'low' : 'critical',
                sources: [i === 6 ? HR_SOURCE : BILLING_SOURCE],
              }),
            )
          ).id,
        );
      }
      const list = async (query: string) =>
        ok<ListJson>(await call(local, 'GET', `/api/v1/alerts${query}`, who)).alerts.map((a) =>
          ids.indexOf(a.id),
        );
      assert.deepEqual(await list(''), [6, 5, 4, 3, 2, 1, 0]);
      assert.deepEqual(await list('?rule=rule.odd'), [5, 3, 1]);
      assert.deepEqual(await list('?severity=low'), [2, 1, 0]);
      assert.deepEqual(await list(`?source=${HR_SOURCE}`), [6]);
      // Alert i was raised at 09:0(i+1):00.
      assert.deepEqual(
        await list('?from=2026-11-22T09:02:00Z&to=2026-11-22T09:04:00.000Z'),
        [3, 2, 1],
      );
      assert.deepEqual(await list('?to=2026-11-22T09:01:59.999Z'), [0]);
      await s.handle(ids[4]!, { action: 'acknowledge' }, { kind: 'person', id: who.id });
      await s.handle(
        ids[4]!,
        { action: 'assign', assignee: who.id },
        { kind: 'person', id: who.id },
      );
      assert.deepEqual(await list('?state=acknowledged'), [4]);
      assert.deepEqual(await list(`?assignee=${who.id}`), [4]);
      assert.deepEqual(await list('?state=open&severity=critical&rule=rule.even'), [6]);

      const seen: number[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page: ListJson = ok<ListJson>(
          await call(
            local,
            'GET',
            `/api/v1/alerts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
            who,
          ),
        );
        seen.push(...page.alerts.map((a) => ids.indexOf(a.id)));
        cursor = page.next_cursor;
      }
      assert.deepEqual(seen, [6, 5, 4, 3, 2, 1, 0]);

      for (const [query, path] of [
        ['?status=open', 'status'],
        ['?state=closed', 'state'],
        ['?severity=urgent', 'severity'],
        ['?limit=0', 'limit'],
        ['?limit=501', 'limit'],
        ['?cursor=abc', 'cursor'],
        ['?from=yesterday', 'from'],
        ['?from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z', 'from'],
        ['?rule=a&rule=b', 'rule'],
      ]) {
        const res = await call(local, 'GET', `/api/v1/alerts${query}`, who);
        assert.equal(res.statusCode, 400, query);
        assert.equal(res.json().error.path, path, query);
      }
      const badId = await call(local, 'GET', '/api/v1/alerts/not-an-id', who);
      assert.equal(badId.statusCode, 400);
      assert.equal(badId.json().error.path, 'id');
    } finally {
      await local.close();
    }
  });

  it('metrics: mean time to acknowledge and to resolve, overall and per severity', async () => {
    const local = await testServer();
    try {
      const s = alertService(local).service;
      const who = await tokenFor(local, 'rita', [{ role: 'reviewer' }]);
      const by = { kind: 'person' as const, id: who.id };
      const at = (ms: number) => local.clock.set(Date.parse('2026-11-22T10:00:00Z') + ms);
      const min = 60_000;
      // high #1: raised 0, acked +2m, resolved +10m.
      at(0);
      const h1 = (await s.raise(newAlert({ key: 'm1', severity: 'high' }))).id;
      // high #2: raised +1m, resolved straight from open at +5m (first response +4m).
      at(1 * min);
      const h2 = (await s.raise(newAlert({ key: 'm2', severity: 'high' }))).id;
      // low: raised +2m, acked +8m, still acknowledged.
      at(2 * min);
      const l1 = (await s.raise(newAlert({ key: 'm3', severity: 'low' }))).id;
      // critical: raised +3m, still open.
      at(3 * min);
      await s.raise(newAlert({ key: 'm4', severity: 'critical' }));
      at(2 * min);
      await s.handle(h1, { action: 'acknowledge' }, by);
      at(5 * min);
      await s.handle(h2, { action: 'resolve', disposition: 'benign', note: 'test' }, by);
      at(8 * min);
      await s.handle(l1, { action: 'acknowledge' }, by);
      at(10 * min);
      await s.handle(h1, { action: 'resolve', disposition: 'true_positive', note: 'x' }, by);
      // Raised outside the range asked for below.
      at(60 * min);
      await s.raise(newAlert({ key: 'm5', severity: 'high' }));

      const metrics = ok<{
        from: string;
        to: string;
        overall: Record<string, number | null>;
        by_severity: Record<string, Record<string, number | null>>;
        dispositions: Record<string, number>;
      }>(
        await call(
          local,
          'GET',
          '/api/v1/alerts/metrics?from=2026-11-22T10:00:00Z&to=2026-11-22T10:30:00Z',
          who,
        ),
      );
      assert.equal(metrics.from, '2026-11-22T10:00:00.000Z');
      assert.deepEqual(metrics.overall, {
        alerts: 4,
        open: 1,
        acknowledged: 1,
        resolved: 2,
        responded: 3,
        // (2 + 4 + 6) / 3 minutes
        mean_time_to_acknowledge_ms: 4 * min,
        // (10 + 4) / 2 minutes
        mean_time_to_resolve_ms: 7 * min,
      });
      assert.deepEqual(metrics.by_severity.high, {
        alerts: 2,
        open: 0,
        acknowledged: 0,
        resolved: 2,
        responded: 2,
        mean_time_to_acknowledge_ms: 3 * min,
        mean_time_to_resolve_ms: 7 * min,
      });
      assert.equal(metrics.by_severity.low!.mean_time_to_acknowledge_ms, 6 * min);
      assert.equal(metrics.by_severity.low!.mean_time_to_resolve_ms, null);
      assert.equal(metrics.by_severity.critical!.mean_time_to_acknowledge_ms, null);
      assert.equal(metrics.by_severity.medium!.alerts, 0);
      assert.deepEqual(metrics.dispositions, {
        true_positive: 1,
        false_positive: 0,
        benign: 1,
        accepted_risk: 0,
      });
      const all = ok<{ overall: { alerts: number } }>(
        await call(local, 'GET', '/api/v1/alerts/metrics', who),
      );
      assert.equal(all.overall.alerts, 5);
      const bad = await call(local, 'GET', '/api/v1/alerts/metrics?state=open', who);
      assert.equal(bad.statusCode, 400);
    } finally {
      await local.close();
    }
  });

  it('exports NDJSON and CSV, oldest first, and logs the export', async () => {
    const local = await testServer();
    try {
      const s = alertService(local).service;
      const who = await tokenFor(local, 'audrey', [{ role: 'auditor' }]);
      const first = (await s.raise(newAlert({ key: 'e1', title: '=HYPERLINK("x")' }))).id;
      local.clock.advance(1000);
      const second = (
        await s.raise(newAlert({ key: 'e2', title: 'bulk read, "quoted"', sources: [HR_SOURCE] }))
      ).id;
      await s.handle(
        second,
        { action: 'resolve', disposition: 'accepted_risk', note: 'line one\nline two' },
        { kind: 'person', id: 'acct-rita', name: 'rita' },
      );

      const nd = await call(local, 'GET', '/api/v1/alerts/export', who);
      assert.equal(nd.statusCode, 200, nd.body);
      assert.match(String(nd.headers['content-type']), /^application\/x-ndjson/);
      const lines = nd.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as AlertJson);
      assert.deepEqual(
        lines.map((a) => a.id),
        [first, second],
      );
      assert.deepEqual(
        lines[1]!.history.map((h) => h.action),
        ['raise', 'resolve'],
      );

      const csv = await call(
        local,
        'GET',
        `/api/v1/alerts/export?format=csv&source=${HR_SOURCE}`,
        who,
      );
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /attachment; filename="alerts.csv"/);
      const rows = csv.body.split('\r\n');
      assert.equal(rows[0], ALERT_CSV_COLUMNS.join(','));
      assert.equal(rows.length, 3, 'header, one alert, final CRLF');
      assert.ok(rows[1]!.startsWith(`${second},`));
      assert.ok(rows[1]!.includes('"bulk read, ""quoted"""'), rows[1]);
      assert.ok(rows[1]!.includes(',accepted_risk,"line one\nline two",'), rows[1]);

      const guarded = await call(
        local,
        'GET',
        '/api/v1/alerts/export?format=csv&rule=iso27001.failed_sign_ins&to=2026-11-22T09:00:00.000Z',
        who,
      );
      assert.ok(guarded.body.includes(`,"'=HYPERLINK(""x"")",`), guarded.body);

      const logged = await local.log.store.search({
        source: 'evident',
        action: 'alert.export',
        limit: 10,
      });
      assert.equal(logged.length, 3);
      const details = logged.map((e) => JSON.parse(e.record).details).reverse();
      assert.deepEqual(details[0], {
        format: 'ndjson',
        count: 2,
        first_id: first,
        last_id: second,
      });
      assert.deepEqual(details[1], {
        format: 'csv',
        source: HR_SOURCE,
        count: 1,
        first_id: second,
        last_id: second,
      });
      const bad = await call(local, 'GET', '/api/v1/alerts/export?format=xlsx', who);
      assert.equal(bad.json().error.path, 'format');
      const withLimit = await call(local, 'GET', '/api/v1/alerts/export?limit=5', who);
      assert.equal(withLimit.json().error.path, 'limit');
    } finally {
      await local.close();
    }
  });

  it('event_seq: the alerts an entry triggered, found by a scoped reader only by an entry of theirs', async () => {
    const local = await testServer();
    try {
      const s = alertService(local).service;
      const all = await tokenFor(local, 'rita', [{ role: 'reviewer' }]);
      const billing = await tokenFor(local, 'bill', [{ role: 'reviewer', sources: ['billing-*'] }]);
      const single = (await s.raise(newAlert({ key: 'q1', seqs: [70, 71] }))).id;
      const both = (
        await s.raise(
          newAlert({
            key: 'q2',
            seqs: [71, 90],
            sources: [BILLING_SOURCE, HR_SOURCE],
            seqsBySource: { [BILLING_SOURCE]: [71], [HR_SOURCE]: [90] },
          }),
        )
      ).id;
      const ids = async (query: string, who: { authorization: string }) =>
        ok<{ alerts: { id: string }[] }>(
          await call(local, 'GET', `/api/v1/alerts?${query}`, who),
        ).alerts.map((a) => a.id);
      assert.deepEqual(await ids('event_seq=71', all), [both, single]);
      assert.deepEqual(await ids('event_seq=70', all), [single]);
      assert.deepEqual(await ids('event_seq=90', all), [both]);
      assert.deepEqual(await ids('event_seq=72', all), []);
      assert.deepEqual(await ids('event_seq=71', billing), [both, single]);
      // Seq 90 is an hr-api entry: a billing reviewer learns nothing of what it triggered.
      assert.deepEqual(await ids('event_seq=90', billing), []);
      const bad = await call(local, 'GET', '/api/v1/alerts?event_seq=-1', all);
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.path, 'event_seq');
    } finally {
      await local.close();
    }
  });

  it('exports every match, page after page, with no cap', async () => {
    const local = await testServer();
    try {
      const who = await tokenFor(local, 'audrey', [{ role: 'auditor' }]);
      // More than two of the export's pages (1000 alerts each), written straight to the tables.
      const count = 2345;
      await local.log.store.transaction(async (tx) => {
        for (let i = 0; i < count; i++) {
          const raisedAtMs = local.clock.now() + i;
          const id = ulid(raisedAtMs);
          await insertAlert(
            tx,
            {
              ...storedAlert(id, raisedAtMs),
              key: `many-${i}`,
              sources: [i % 2 === 0 ? BILLING_SOURCE : HR_SOURCE],
            },
            raisedAtMs,
          );
        }
      });
      const res = await call(local, 'GET', '/api/v1/alerts/export?format=csv', who);
      assert.equal(res.statusCode, 200);
      const rows = res.body.split('\r\n').slice(1, -1);
      assert.equal(rows.length, count);
      const ids = rows.map((r) => r.split(',')[0]!);
      assert.deepEqual(ids, [...ids].sort(), 'oldest first');
      assert.equal(new Set(ids).size, count);
      const [logged] = await local.log.store.search({
        source: 'evident',
        action: 'alert.export',
        limit: 1,
      });
      const details = JSON.parse(logged!.record).details;
      assert.equal(details.count, count);
      assert.equal(details.first_id, ids[0]);
      assert.equal(details.last_id, ids.at(-1));
    } finally {
      await local.close();
    }
  });

  it('the OpenAPI document describes every alert route', async () => {
    const doc = ok<{ paths: Record<string, Record<string, unknown>> }>(
      await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }),
    );
    const routes = registeredRoutes(t.app).filter(
      (r) => r.url.startsWith('/api/v1/alerts') && r.method !== 'HEAD',
    );
    assert.equal(routes.length, 10);
    for (const r of routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`);
    }
  });
});
