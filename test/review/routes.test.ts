import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SelfAudit } from '../../src/log/self-audit.js';
import { AlertService } from '../../src/monitor/alerts/alert-service.js';
import { ReviewSchedule } from '../../src/review/review-schedule.js';
import { ulidGenerator } from '../../src/util/ids.js';
import {
  call,
  event,
  type TestPrincipal,
  type TestServer,
  testServer,
} from '../support/test-server.js';

/**
 * The reviews API over HTTP (every answer checked against its response schema by the test
 * server): an admin defines a weekly review, the schedule opens its occurrence, a scoped
 * reviewer works and signs it off; another source's reviewer never sees it.
 */
const MONTH = 30 * 24 * 3_600_000;

describe('reviews API', () => {
  let t: TestServer;
  let rita: TestPrincipal;
  let hr: TestPrincipal;
  let auditor: TestPrincipal;
  let schedule: ReviewSchedule;

  before(async () => {
    t = await testServer();
    rita = await t.principal({
      id: 'u-rita',
      roles: ['reviewer'],
      sources: ['billing-*'],
      tokenTtlMs: MONTH,
    });
    hr = await t.principal({
      id: 'u-hr',
      roles: ['reviewer'],
      sources: ['hr-*'],
      tokenTtlMs: MONTH,
    });
    auditor = await t.principal({ id: 'u-audit', roles: ['auditor'], tokenTtlMs: MONTH });
    const audit = new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
    schedule = new ReviewSchedule({
      store: t.log.store,
      audit,
      alerts: new AlertService({ store: t.log.store, audit, clock: t.clock }),
      clock: t.clock,
      ids: ulidGenerator(),
    });
  });
  after(async () => {
    await t.close();
  });

  it('defines, generates, pins, observes, signs off; scoped readers see only their sources', async () => {
    const defined = await call(t, 'POST', '/api/v1/reviews', t.admin, {
      name: 'weekly-billing',
      kind: 'log',
      cadence: 'weekly',
      time_zone: 'Europe/Berlin',
      sources: ['billing-*'],
      filter: { action_prefix: 'customer.' },
      reviewers: ['role:reviewer'],
      due_days: 3,
    });
    assert.equal(defined.statusCode, 200, defined.body);
    const again = await call(t, 'POST', '/api/v1/reviews', t.admin, {
      name: 'weekly-billing',
      kind: 'log',
      cadence: 'daily',
      sources: ['*'],
      reviewers: ['u-rita'],
      due_days: 1,
    });
    assert.equal(again.json().error.reason, 'review_name_taken');
    const badZone = await call(t, 'POST', '/api/v1/reviews', t.admin, {
      name: 'x',
      kind: 'log',
      cadence: 'daily',
      time_zone: 'Mars/Olympus',
      sources: ['*'],
      reviewers: ['u-rita'],
      due_days: 1,
    });
    assert.equal(badZone.json().error.path, 'time_zone');
    const asReviewer = await call(t, 'POST', '/api/v1/reviews', rita.headers, { name: 'y' });
    assert.equal(asReviewer.statusCode, 403);

    const key = await t.ingestKey('billing-api');
    const appended = await call(t, 'POST', '/api/v1/events', { authorization: key.authorization }, [
      event({ time: new Date(t.clock.now()).toISOString(), actor: { id: 'u-ops' } }),
      event({
        time: new Date(t.clock.now()).toISOString(),
        actor: { id: 'u-ops' },
        action: 'invoice.update',
      }),
    ]);
    assert.equal(appended.statusCode, 201, appended.body);
    t.clock.advance(2 * 24 * 3_600_000); // Sunday → Tuesday: the week of the events has ended
    assert.equal((await schedule.tick()).opened, 1);

    const list = await call(
      t,
      'GET',
      '/api/v1/reviews/occurrences?definition=weekly-billing',
      rita.headers,
    );
    assert.equal(list.statusCode, 200, list.body);
    const [occurrence] = list.json().occurrences;
    assert.equal(occurrence.status, 'open');
    assert.deepEqual(
      (await call(t, 'GET', '/api/v1/reviews/occurrences', hr.headers)).json().occurrences,
      [],
    );
    assert.equal(
      (await call(t, 'GET', `/api/v1/reviews/occurrences/${occurrence.id}`, hr.headers)).statusCode,
      404,
    );
    assert.equal(
      (await call(t, 'GET', '/api/v1/reviews/weekly-billing', hr.headers)).statusCode,
      404,
    );

    const started = await call(
      t,
      'POST',
      `/api/v1/reviews/occurrences/${occurrence.id}/start`,
      rita.headers,
    );
    assert.equal(started.statusCode, 200, started.body);
    assert.equal(started.json().pin.item_count, 1, 'the filter keeps customer.* only');
    const items = await call(
      t,
      'GET',
      `/api/v1/reviews/occurrences/${occurrence.id}/items`,
      rita.headers,
    );
    assert.equal(items.statusCode, 200, items.body);
    const [item] = items.json().items;
    assert.equal(item.record.action, 'customer.read');
    assert.equal(
      (await call(t, 'GET', `/api/v1/reviews/occurrences/${occurrence.id}/items`, hr.headers))
        .statusCode,
      404,
    );

    const observed = await call(
      t,
      'POST',
      `/api/v1/reviews/occurrences/${occurrence.id}/observations`,
      rita.headers,
      {
        item: `seq:${item.seq}`,
        note: 'expected: support ticket 42',
      },
    );
    assert.equal(observed.statusCode, 200, observed.body);
    const signed = await call(
      t,
      'POST',
      `/api/v1/reviews/occurrences/${occurrence.id}/sign-off`,
      rita.headers,
      {
        decision: 'no_findings',
        notes: 'all reads had tickets',
      },
    );
    assert.equal(signed.statusCode, 200, signed.body);
    assert.equal(signed.json().status, 'signed_off');
    const edit = await call(
      t,
      'POST',
      `/api/v1/reviews/occurrences/${occurrence.id}/observations`,
      rita.headers,
      {
        item: 'review',
        note: 'too late',
      },
    );
    assert.equal(edit.statusCode, 409);
    assert.equal(edit.json().error.reason, 'review_signed_off');

    const shown = await call(
      t,
      'GET',
      `/api/v1/reviews/occurrences/${occurrence.id}`,
      auditor.headers,
    );
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().notes.length, 1);
    assert.equal(shown.json().sign_off.decision, 'no_findings');
    // The auditor reads but does not sign.
    const auditorSigns = await call(
      t,
      'POST',
      `/api/v1/reviews/occurrences/${occurrence.id}/countersign`,
      auditor.headers,
      {},
    );
    assert.equal(auditorSigns.statusCode, 403);
    // Reads of reviews are in the log like any read.
    const reads = await t.log.store.search({ action: 'review.read', limit: 10 });
    assert.deepEqual(
      reads.map((e) => JSON.parse(e.record).actor.id),
      ['u-audit'],
    );
  });
});
