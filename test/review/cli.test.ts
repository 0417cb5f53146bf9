/**
 * `evident reviews …` through the real CLI (a child process) against the test server on
 * loopback: an admin defines a weekly log review and a quarterly access review of admins,
 * the schedule opens them, a reviewer works both and signs them off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SelfAudit } from '../../src/log/self-audit.js';
import { AlertService } from '../../src/monitor/alerts/alert-service.js';
import { ReviewSchedule } from '../../src/review/review-schedule.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { killAllChildren, runCli } from '../support/processes.js';
import { ADMIN_TOKEN, call, event, type TestServer, testServer } from '../support/test-server.js';

const MONTH = 60 * 24 * 3_600_000;

describe('evident reviews (CLI)', () => {
  let t: TestServer;
  let url: string;
  let reviewer: string;
  let schedule: ReviewSchedule;

  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    reviewer = (
      await t.principal({ id: 'u-rita', roles: ['reviewer'], tokenTtlMs: MONTH })
    ).authorization.slice(7);
    await t.principal({ id: 'u-second-admin', roles: ['admin'] });
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
    await killAllChildren();
    await t.close();
  });

  const as =
    (token: string) =>
    (...args: string[]) =>
      runCli(['reviews', ...args, '--url', url, '--token', token]);
  const admin = as(ADMIN_TOKEN);
  const rita = (...args: string[]) => as(reviewer)(...args);
  const ok = (res: { code: number | null; stderr: string }, what: string) =>
    assert.equal(res.code, 0, `${what}: ${res.stderr}`);

  it('a weekly log review and a quarterly access review, end to end', async () => {
    ok(
      await admin(
        'define',
        'weekly-billing',
        '--kind',
        'log',
        '--cadence',
        'weekly',
        '--time-zone',
        'Europe/Berlin',
        '--source',
        'billing-*',
        '--reviewer',
        'role:reviewer',
        '--due-days',
        '3',
      ),
      'define log',
    );
    ok(
      await admin(
        'define',
        'quarterly-admins',
        '--kind',
        'access',
        '--cadence',
        'quarterly',
        '--role',
        'admin',
        '--reviewer',
        'u-rita',
        '--due-days',
        '14',
      ),
      'define access',
    );
    const redefined = await admin(
      'define',
      'weekly-billing',
      '--kind',
      'log',
      '--cadence',
      'weekly',
      '--time-zone',
      'Europe/Berlin',
      '--source',
      'billing-*',
      '--reviewer',
      'role:reviewer',
      '--due-days',
      '4',
    );
    ok(redefined, 'redefine');
    assert.match(redefined.stdout, /Updated review weekly-billing .*version 2/);

    const key = await t.ingestKey('billing-api');
    const time = new Date(t.clock.now()).toISOString();
    const appended = await call(t, 'POST', '/api/v1/events', { authorization: key.authorization }, [
      event({ time, actor: { id: 'u-ops' } }),
    ]);
    assert.equal(appended.statusCode, 201, appended.body);
    // From Sunday 22 November 2026 to 1 January 2027: weeks and the fourth quarter ended.
    t.clock.set(Date.parse('2027-01-01T12:00:00Z'));
    assert.ok((await schedule.tick()).opened >= 2);

    const list = await rita('list', '--json');
    ok(list, 'list');
    const occurrences = JSON.parse(list.stdout) as {
      id: string;
      name: string;
      period_start: string;
    }[];
    const weekly = occurrences.find(
      (o) => o.name === 'weekly-billing' && o.period_start === '2026-11-15T23:00:00.000Z',
    )!;
    const quarterly = occurrences.find((o) => o.name === 'quarterly-admins')!;
    assert.ok(weekly && quarterly, list.stdout);

    ok(await rita('start', weekly.id), 'start');
    const items = await rita('show', weekly.id, '--items');
    ok(items, 'show --items');
    const seq = /seq:(\d+) .* billing-api {2}u-ops {2}customer\.read/.exec(items.stdout)?.[1];
    assert.ok(seq, items.stdout);
    ok(
      await rita(
        'observe',
        weekly.id,
        '--item',
        `seq:${seq}`,
        '--note',
        'read without ticket',
        '--open-alert',
      ),
      'observe',
    );
    const signed = await rita(
      'sign-off',
      weekly.id,
      '--decision',
      'findings',
      '--notes',
      'one read without ticket',
    );
    ok(signed, 'sign-off');
    assert.match(signed.stdout, /signed +findings by u-rita/);
    const again = await rita('observe', weekly.id, '--item', 'review', '--note', 'after the fact');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /signed off and cannot be changed/);

    ok(await rita('start', quarterly.id), 'start access');
    ok(
      await rita(
        'decide',
        quarterly.id,
        '--principal',
        'u-second-admin',
        '--decision',
        'keep',
        '--note',
        'on call',
      ),
      'decide',
    );
    const signedAccess = await rita('sign-off', quarterly.id, '--decision', 'no_findings');
    ok(signedAccess, 'sign-off access');
    const shown = await rita('show', quarterly.id);
    ok(shown, 'show');
    assert.match(shown.stdout, /decision +principal:u-second-admin keep: on call/);
    assert.match(shown.stdout, /snapshot \d+ principals, sha256 /);
    const overdue = await rita('list', '--status', 'open');
    ok(overdue, 'list open');
    assert.match(overdue.stderr, /review\(s\) overdue/);
  });
});
