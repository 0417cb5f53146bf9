import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_SOURCES, scopeOf } from '../../src/access/authorization/source-scope.js';
import { toBase64 } from '../../src/core/bytes.js';
import { sha256 } from '../../src/core/hash.js';
import type { AppError } from '../../src/errors.js';
import { parseDefinition } from '../../src/review/definition-input.js';
import { append, eventsOf, harness, person, processOn, TARGETS } from './support.js';

const reason = (expected: string) => (error: unknown) => {
  assert.equal((error as AppError).reason, expected, (error as Error).message);
  return true;
};

// Wednesday 2 December 2026, 10:00 in Berlin.
const WEDNESDAY = Date.parse('2026-12-02T09:00:00Z');
const NEXT_MONDAY = Date.parse('2026-12-06T23:00:00Z'); // Monday 7 Dec, 00:00 CET

const weekly = (overrides: Record<string, unknown> = {}) =>
  parseDefinition({
    name: 'weekly-billing',
    kind: 'log',
    cadence: 'weekly',
    time_zone: 'Europe/Berlin',
    sources: ['billing-*'],
    reviewers: ['role:reviewer'],
    due_days: 3,
    ...overrides,
  });

for (const target of TARGETS) {
  describe(`reviews on ${target.name}`, () => {
    it('a weekly log review: generated once, pinned, worked, signed off, then locked', async () => {
      const h = await harness(target, WEDNESDAY);
      try {
        const log = await h.open();
        const p = processOn(log, h.clock);
        const admin = await person(log, 'u-admin', [{ role: 'admin' }]);
        const rita = await person(log, 'u-rita', [{ role: 'reviewer', sources: ['billing-*'] }]);
        const def = await p.reviews.define(weekly(), admin);
        const mine = await append(log, h.clock, 'billing-api', 'u-ops');
        await append(log, h.clock, 'hr-api', 'u-ops');
        const also = await append(log, h.clock, 'billing-web', 'u-dev', 'invoice.update');

        assert.deepEqual(
          await p.schedule.tick(),
          { opened: 0, overdue: 0 },
          'the week has not ended',
        );
        h.clock.set(NEXT_MONDAY + 60_000);
        assert.equal((await p.schedule.tick()).opened, 1);
        assert.equal((await p.schedule.tick()).opened, 0, 'exactly one per period');
        const [o] = await p.reviews.occurrences({ limit: 10 }, ALL_SOURCES, admin);
        assert.ok(o);
        assert.equal(new Date(o.periodStartMs).toISOString(), '2026-11-29T23:00:00.000Z');
        assert.equal(new Date(o.dueAtMs).toISOString(), '2026-12-09T23:00:00.000Z');
        assert.equal((await eventsOf(log, 'review.open')).length, 1);

        // A later change of the definition leaves the generated occurrence as it was.
        await p.reviews.update(def.id, weekly({ due_days: 10, sources: ['*'] }), admin);
        const started = await p.work.start(o.id, scopeOf([['billing-*']]), rita);
        assert.equal(started.definition.dueDays, 3);
        assert.deepEqual(started.definition.sources, ['billing-*']);
        assert.deepEqual(started.pin!.items, [mine, also]);
        assert.deepEqual(started.pin!.actors, ['u-dev', 'u-ops']);
        // The hash is recomputable from the log: SHA-256 over the items' leaf hashes.
        const leaves = await Promise.all([mine, also].map((s) => log.store.entryBySeq(s)));
        assert.equal(started.pin!.itemsSha256, toBase64(sha256(...leaves.map((e) => e!.leafHash))));
        const head = await log.store.head();
        assert.ok(started.pin!.treeSize <= head!.size);

        // A reviewer of other sources sees nothing of it.
        const hrScope = scopeOf([['hr-*']]);
        await assert.rejects(p.reviews.occurrence(o.id, hrScope, rita), reason('not_found'));
        assert.deepEqual(await p.reviews.occurrences({ limit: 10 }, hrScope, rita), []);

        const observed = await p.work.observe(
          o.id,
          { item: `seq:${also}`, note: 'invoice changed without ticket', openAlert: true },
          scopeOf([['billing-*']]),
          rita,
        );
        assert.ok(observed.alertId);
        const alert = (await p.alerts.get(observed.alertId))!.value;
        assert.deepEqual(alert.seqs, [also]);
        await assert.rejects(
          p.work.observe(
            o.id,
            { item: 'seq:999999', note: 'x', openAlert: false },
            ALL_SOURCES,
            rita,
          ),
          reason('invalid_field'),
        );

        const signed = await p.work.signOff(
          o.id,
          { decision: 'findings', notes: 'one change without ticket; alert opened' },
          scopeOf([['billing-*']]),
          rita,
        );
        assert.equal(signed.status, 'signed_off');
        const [signOff] = await eventsOf(log, 'review.sign_off');
        assert.equal(signOff!.source, 'evident');
        assert.equal(signOff!.id, signed.signOff!.eventId);
        const details = signOff!.details as Record<string, unknown>;
        assert.equal(details.decision, 'findings');
        assert.equal(details.items_sha256, started.pin!.itemsSha256);
        assert.equal(details.tree_size, started.pin!.treeSize);
        assert.equal(details.late, false);
        assert.deepEqual(
          (details.observations as { item: string }[]).map((x) => x.item),
          [`seq:${also}`],
        );

        // Signed off: nothing more is changed; a correction is a new event referring to it.
        await assert.rejects(
          p.work.observe(
            o.id,
            { item: 'review', note: 'late thought', openAlert: false },
            ALL_SOURCES,
            rita,
          ),
          reason('review_signed_off'),
        );
        await assert.rejects(
          p.work.signOff(o.id, { decision: 'no_findings', notes: '' }, ALL_SOURCES, rita),
          reason('review_signed_off'),
        );
        await p.work.correct(
          o.id,
          { decision: 'findings', notes: 'the ticket was found later' },
          ALL_SOURCES,
          rita,
        );
        const [correction] = await eventsOf(log, 'review.correct');
        assert.equal(
          (correction!.details as Record<string, unknown>).sign_off_event_id,
          signed.signOff!.eventId,
        );
        const after = await p.reviews.occurrence(o.id, ALL_SOURCES, rita);
        assert.equal(after.occurrence.signOff!.decision, 'findings');
        assert.deepEqual(
          after.notes.map((n) => n.kind),
          ['observation', 'correction'],
        );
      } finally {
        await h.close();
      }
    });

    it('separation of duties: own actions in scope refuse the sign-off; a countersign needs another person', async () => {
      const h = await harness(target, WEDNESDAY);
      try {
        const log = await h.open();
        const p = processOn(log, h.clock);
        const admin = await person(log, 'u-admin', [{ role: 'admin' }]);
        const ops = await person(log, 'u-ops', [{ role: 'reviewer' }]);
        const rita = await person(log, 'u-rita', [{ role: 'reviewer' }]);
        const bob = await person(log, 'u-bob', [{ role: 'reviewer' }]);
        await p.reviews.define(weekly({ countersign: true }), admin);
        await append(log, h.clock, 'billing-api', 'u-ops');
        h.clock.set(NEXT_MONDAY + 1);
        await p.schedule.tick();
        const [o] = await p.reviews.occurrences({ limit: 1 }, ALL_SOURCES, admin);
        await assert.rejects(
          p.work.signOff(o!.id, { decision: 'no_findings', notes: '' }, ALL_SOURCES, rita),
          reason('review_not_in_state'),
          'not started',
        );
        await assert.rejects(p.work.start(o!.id, ALL_SOURCES, admin), reason('not_a_reviewer'));
        await p.work.start(o!.id, ALL_SOURCES, rita);
        // u-ops acted in an event under review: the scope is checked, whatever the name.
        await assert.rejects(
          p.work.signOff(o!.id, { decision: 'no_findings', notes: '' }, ALL_SOURCES, ops),
          reason('own_actions_in_review'),
        );
        const signed = await p.work.signOff(
          o!.id,
          { decision: 'no_findings', notes: '' },
          ALL_SOURCES,
          rita,
        );
        assert.equal(signed.status, 'awaiting_countersign');
        await assert.rejects(
          p.work.countersign(o!.id, { notes: '' }, ALL_SOURCES, rita),
          reason('countersign_by_signer'),
        );
        await assert.rejects(
          p.work.countersign(o!.id, { notes: '' }, ALL_SOURCES, ops),
          reason('own_actions_in_review'),
        );
        const done = await p.work.countersign(o!.id, { notes: 'checked' }, ALL_SOURCES, bob);
        assert.equal(done.status, 'signed_off');
        assert.equal(done.countersign!.by, 'u-bob');
        const [event] = await eventsOf(log, 'review.countersign');
        assert.equal((event!.details as Record<string, unknown>).signed_off_by, 'u-rita');
      } finally {
        await h.close();
      }
    });

    it('overdue: one alert past the due time, through the alert lifecycle, across a restart', async () => {
      const h = await harness(target, WEDNESDAY);
      try {
        let log = await h.open();
        let p = processOn(log, h.clock);
        const admin = await person(log, 'u-admin', [{ role: 'admin' }]);
        await p.reviews.define(weekly({ due_days: 1 }), admin);
        h.clock.set(NEXT_MONDAY + 3_600_000);
        assert.deepEqual(await p.schedule.tick(), { opened: 1, overdue: 0 });
        // A restart inside the window: the new process generates nothing twice.
        await h.stop(log);
        log = await h.open();
        p = processOn(log, h.clock);
        assert.deepEqual(await p.schedule.tick(), { opened: 0, overdue: 0 });
        h.clock.set(NEXT_MONDAY + 24 * 3_600_000 + 1);
        assert.deepEqual(await p.schedule.tick(), { opened: 0, overdue: 1 });
        assert.deepEqual(await p.schedule.tick(), { opened: 0, overdue: 0 });
        const page = await p.alerts.page({
          filter: { rule: 'review.overdue' },
          scope: ALL_SOURCES,
          limit: 10,
        });
        assert.equal(page.alerts.length, 1);
        assert.equal(page.alerts[0]!.state, 'open');
        const [o] = await p.reviews.occurrences({ limit: 1 }, ALL_SOURCES, admin);
        assert.equal(o!.overdueAlertId, page.alerts[0]!.id);
        // Periods missed while down are generated when a process runs again.
        h.clock.set(NEXT_MONDAY + 21 * 24 * 3_600_000 + 1);
        assert.equal((await p.schedule.tick()).opened, 3);
      } finally {
        await h.close();
      }
    });

    it('a quarterly access review: the snapshot is hashed, a revoke applies, own grants refuse the sign-off', async () => {
      const h = await harness(target, Date.parse('2026-11-22T09:00:00Z'));
      try {
        const log = await h.open();
        const p = processOn(log, h.clock);
        const admin = await person(log, 'u-admin', [{ role: 'admin' }]);
        const rita = await person(log, 'u-rita', [{ role: 'reviewer' }, { role: 'admin' }]);
        await person(log, 'u-bob', [{ role: 'reviewer', sources: ['billing-*'] }]);
        await p.reviews.define(
          parseDefinition({
            name: 'quarterly-access',
            kind: 'access',
            cadence: 'quarterly',
            reviewers: ['u-rita'],
            due_days: 14,
          }),
          admin,
        );
        h.clock.set(Date.parse('2027-01-01T00:00:01Z'));
        assert.equal((await p.schedule.tick()).opened, 1);
        const [o] = await p.reviews.occurrences({ limit: 1 }, ALL_SOURCES, admin);
        assert.equal(new Date(o!.periodStartMs).toISOString(), '2026-10-01T00:00:00.000Z');
        // A source-scoped reader never sees an access review (it covers every principal).
        await assert.rejects(
          p.reviews.occurrence(o!.id, scopeOf([['billing-*']]), rita),
          reason('not_found'),
        );
        const started = await p.work.start(o!.id, ALL_SOURCES, rita);
        const snapshot = JSON.parse(started.pin!.snapshot!) as { principals: { id: string }[] };
        assert.deepEqual(
          snapshot.principals.map((x) => x.id),
          ['u-admin', 'u-bob', 'u-rita'],
        );
        assert.equal(started.pin!.snapshotSha256, toBase64(sha256(started.pin!.snapshot!)));
        await p.work.decide(
          o!.id,
          { item: 'principal:u-admin', decision: 'keep', note: 'on duty' },
          ALL_SOURCES,
          rita,
        );
        const revoked = await p.work.decide(
          o!.id,
          { item: 'principal:u-bob', decision: 'revoke', note: 'left the team' },
          ALL_SOURCES,
          rita,
        );
        assert.equal(revoked.approvalId, null, 'removing a reading role applies at once');
        const bob = await p.reviews.deps.accounts.list();
        assert.deepEqual(bob.find((a) => a.id === 'u-bob')!.grants, []);
        // Rita's own grants are in the snapshot.
        await assert.rejects(
          p.work.signOff(o!.id, { decision: 'findings', notes: '' }, ALL_SOURCES, rita),
          reason('own_actions_in_review'),
        );
        assert.equal((await eventsOf(log, 'review.decide')).length, 2);
      } finally {
        await h.close();
      }
    });
  });
}

describe('reviews on one PostgreSQL log shared by two processes', {
  skip: TARGETS.length < 2 && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  it('generates exactly one occurrence per period and raises one overdue alert', async () => {
    const h = await harness(TARGETS[1]!, WEDNESDAY);
    try {
      const first = processOn(await h.open(), h.clock);
      const second = processOn(await h.open(), h.clock);
      const admin = await person(first.log, 'u-admin', [{ role: 'admin' }]);
      await first.reviews.define(weekly({ cadence: 'daily', due_days: 1 }), admin);
      h.clock.set(NEXT_MONDAY + 3 * 24 * 3_600_000);
      const results = await Promise.all([
        first.schedule.tick(),
        second.schedule.tick(),
        first.schedule.tick(),
        second.schedule.tick(),
      ]);
      const occurrences = await first.reviews.occurrences({ limit: 100 }, ALL_SOURCES, admin);
      const starts = occurrences.map((o) => o.periodStartMs);
      assert.equal(new Set(starts).size, starts.length, 'no period twice');
      assert.equal(
        results.reduce((n, r) => n + r.opened, 0),
        occurrences.length,
      );
      assert.equal((await eventsOf(first.log, 'review.open')).length, occurrences.length);
      const alerts = await first.alerts.page({
        filter: { rule: 'review.overdue' },
        scope: ALL_SOURCES,
        limit: 100,
      });
      const overdue = occurrences.filter((o) => o.dueAtMs < h.clock.now());
      assert.equal(alerts.alerts.length, overdue.length);
    } finally {
      await h.close();
    }
  });
});
