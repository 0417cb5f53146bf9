import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/client/api-client.js';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import { META_VERIFIER_KEY } from '../../src/log/init-log.js';
import type { OpenLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { archiveBeforePurge } from '../../src/retention/archive/before-purge.js';
import type { LegalHold } from '../../src/retention/hold.js';
import { holdDetails } from '../../src/retention/hold-service.js';
import { PurgeRunner } from '../../src/retention/purge-runner.js';
import { insertHold } from '../../src/store/tables/retention/legal-holds-table.js';
import { purgePayloads } from '../../src/store/tables/retention/purged-payloads-table.js';
import type { ManualClock } from '../../src/util/clock.js';
import { verifyRemote } from '../../src/verify/verify-remote.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { runCli } from '../support/processes.js';
import { setThirtyDayPolicy } from '../support/retention-setup.js';
import {
  call,
  event,
  type TestPrincipal,
  type TestServer,
  tempDir,
  testServer,
} from '../support/test-server.js';
import { LOG_KINDS, makeArchiveLog } from './archive/archive-log.js';

const MONTH_MS = 30 * 86_400_000;
const SLOW = 180_000;

/**
 * The "done when" with a legal hold: 12-month minimum, 36-month maximum with archive,
 * a hold on one person's events; after 37 months the unheld payloads are archived and purged,
 * the held ones remain, verify explains every removal, and the bundles verify offline.
 */
describe('legal hold across 37 months with archive (fake clock)', () => {
  let t: TestServer;
  let a: TestPrincipal;
  let b: TestPrincipal;
  const archiveDir = tempDir('evident-hold-archive-');
  const seqs: { seq: number; id: string; held: boolean; month: number }[] = [];
  let holdId: string;
  let runner: PurgeRunner;

  before(async () => {
    t = await testServer();
    a = await t.principal({ roles: ['admin'] });
    b = await t.principal({ roles: ['admin'] });
    runner = new PurgeRunner({
      store: t.log.store,
      audit: new SelfAudit(t.log.sequencer, t.log.origin, t.clock),
      clock: t.clock,
      batchSize: 10,
      beforePurge: archiveBeforePurge({
        target: archiveDir,
        store: t.log.store,
        origin: t.log.origin,
        clock: t.clock,
      }),
    });
  });
  after(async () => t.close());

  it('an admin sets the policy and places a hold on one person (both events)', async () => {
    const asked = await call(t, 'PUT', '/api/v1/retention', a.headers, {
      source: '*',
      min: 'P12M',
      max: 'P36M',
      archive: true,
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const approved = await call(
      t,
      'POST',
      `/api/v1/approvals/${asked.json().approval.id}/approve`,
      b.headers,
    );
    assert.equal(approved.statusCode, 200, approved.body);

    const none = await call(t, 'POST', '/api/v1/holds', a.headers, {
      matter: 'case 7',
      reason: 'no criteria',
    });
    assert.equal(none.statusCode, 400);
    const placed = await call(t, 'POST', '/api/v1/holds', a.headers, {
      actor_id: 'u-held',
      matter: 'case 7',
      reason: 'litigation over u-held',
    });
    assert.equal(placed.statusCode, 201, placed.body);
    holdId = placed.json().hold.id;
    const listed = (await call(t, 'GET', '/api/v1/holds', a.headers)).json().holds;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].actor_id, 'u-held');
    assert.equal(listed[0].released_at, null);
    const events = await t.log.store.search({ action: 'legal_hold.place', limit: 10 });
    assert.equal(events.length, 1, 'placing a hold is an event');
  });

  it('after 37 months the unheld payloads are archived and purged, the held ones remain', async () => {
    const key = await t.ingestKey('billing');
    for (let month = 0; month <= 37; month++) {
      for (const actor of ['u-held', 'u-other']) {
        const res = await call(t, 'POST', '/api/v1/events', key, event({ actor: { id: actor } }));
        assert.equal(res.statusCode, 201, res.body);
        const e = res.json().entries[0];
        seqs.push({ seq: e.seq, id: e.id, held: actor === 'u-held', month });
      }
      t.clock.advance(MONTH_MS);
    }
    const result = await runner.runOnce();
    assert.ok(result.purged > 0);
    const policyRun = result.policies.find((p) => p.source === '*');
    assert.ok(policyRun);
    const purged: number[] = [];
    for (const s of seqs) {
      const stored = (await t.log.store.entryBySeq(s.seq))!;
      if (stored.record === '') purged.push(s.seq);
      if (s.held) assert.notEqual(stored.record, '', `held entry ${s.seq} was purged`);
    }
    assert.equal(purged.length, result.purged);
    assert.ok(seqs.filter((s) => !s.held && s.month === 0).every((s) => purged.includes(s.seq)));
    assert.ok(seqs.filter((s) => s.month >= 2).every((s) => !purged.includes(s.seq)));

    const report = await verifyStore(t.log.store);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);

    const bundles = readdirSync(archiveDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.zip'));
    assert.ok(bundles.length >= 1, 'the purged payloads were archived first');
    const vkey = (await t.log.store.getMeta(META_VERIFIER_KEY))!;
    for (const bundle of bundles) {
      const verified = await runCli(
        ['archive', 'verify', join(archiveDir, bundle), '--key', vkey],
        {
          timeoutMs: SLOW,
        },
      );
      assert.equal(verified.code, 0, verified.stderr);
    }
  });

  it('releasing the hold needs a second person; then the held payloads go too', async () => {
    // Tokens made 37 months ago have expired: two admins of today.
    a = await t.principal({ roles: ['admin'] });
    b = await t.principal({ roles: ['admin'] });
    const asked = await call(t, 'POST', `/api/v1/holds/${holdId}/release`, a.headers, {
      reason: 'case closed',
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const approval = asked.json().approval;
    assert.equal(approval.change, 'hold_release');
    const again = await call(t, 'POST', `/api/v1/holds/${holdId}/release`, b.headers, {});
    assert.equal(again.statusCode, 409, 'one release request at a time');
    const self = await call(t, 'POST', `/api/v1/approvals/${approval.id}/approve`, a.headers);
    assert.equal(self.statusCode, 403, 'the requester cannot approve');
    assert.equal(self.json().error.reason, 'self_approval');
    assert.equal((await runner.runOnce()).purged, 0, 'still held while the request waits');

    const ok = await call(t, 'POST', `/api/v1/approvals/${approval.id}/approve`, b.headers);
    assert.equal(ok.statusCode, 200, ok.body);
    const hold = (await call(t, 'GET', '/api/v1/holds', a.headers)).json().holds[0];
    assert.notEqual(hold.released_at, null);
    const released = await t.log.store.search({ action: 'legal_hold.release', limit: 10 });
    assert.equal(released.length, 1);
    const twice = await call(t, 'POST', `/api/v1/holds/${holdId}/release`, a.headers, {});
    assert.equal(twice.statusCode, 409);

    const result = await runner.runOnce();
    assert.ok(result.purged > 0);
    const firstHeld = seqs.find((s) => s.held)!;
    assert.equal((await t.log.store.entryBySeq(firstHeld.seq))!.record, '');
    assert.deepEqual((await verifyStore(t.log.store)).problems, []);
  });

  it('the CLI places and lists holds and asks for a release; verify --url passes', async () => {
    const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const admin = await t.principal({ roles: ['admin'] });
    const token = admin.authorization.replace('Bearer ', '');
    const cli = (...args: string[]) =>
      runCli([...args, '--url', baseUrl, '--token', token], { timeoutMs: SLOW });
    const placed = await cli(
      'holds',
      'place',
      '--source',
      'hr',
      '--matter',
      'case 8',
      '--reason',
      'r',
    );
    assert.equal(placed.code, 0, placed.stderr);
    const id = /Legal hold (\S+) placed/.exec(placed.stdout)?.[1];
    assert.ok(id, placed.stdout);
    const listed = await cli('holds', 'list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((h: { matter: string; released_at: string | null }) => [
        h.matter,
        h.released_at === null,
      ]),
      [
        ['case 7', false],
        ['case 8', true],
      ],
    );
    const release = await cli('holds', 'release', id, '--reason', 'done');
    assert.equal(release.code, 0, release.stderr);
    assert.match(release.stdout, /waits for a different person/);

    const auditor = await t.principal({ roles: ['auditor'] });
    const remote = await verifyRemote(
      new ApiClient({ baseUrl, token: auditor.authorization.replace('Bearer ', '') }),
      {},
    );
    assert.deepEqual(remote.problems, []);
    assert.equal(remote.ok, true);
  });
});

function submitted(log: OpenLog, actor: string, clock: ManualClock) {
  const record = validateSubmittedRecord(
    {
      time: new Date(clock.now()).toISOString(),
      actor: { id: actor },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-1' },
      outcome: 'success',
    },
    '$',
    { boundSource: 'billing' },
  );
  return log.sequencer.append([record], 'billing');
}

for (const kind of LOG_KINDS) {
  describe(`legal holds on the store (${kind})`, () => {
    let log: OpenLog;
    let clock: ManualClock;
    let dispose: () => Promise<void>;
    let audit: SelfAudit;
    const held: number[] = [];
    const other: number[] = [];

    before(async () => {
      ({ log, clock, dispose } = await makeArchiveLog(kind, 'holds.test', 0));
      audit = new SelfAudit(log.sequencer, log.origin, clock);
      const hold: LegalHold = {
        id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
        matter: 'case 9',
        reason: 'test',
        source: null,
        actorId: 'u-held',
        targetId: null,
        fromMs: null,
        toMs: null,
        placedAtMs: clock.now(),
        placedBy: 'test',
        releasedAtMs: null,
        releasedBy: null,
        version: 1,
      };
      await setThirtyDayPolicy(audit, clock.now(), { holds: [hold] });
      for (let i = 0; i < 3; i++) {
        held.push((await submitted(log, 'u-held', clock)).entries[0]!.seq);
        other.push((await submitted(log, 'u-other', clock)).entries[0]!.seq);
      }
      clock.advance(2 * MONTH_MS);
    });
    after(async () => dispose());

    it('a hold blocks the purge of the entries it covers', async () => {
      const runner = new PurgeRunner({
        store: log.store,
        audit,
        clock,
      });
      const result = await runner.runOnce();
      assert.equal(result.purged, other.length);
      for (const seq of other) assert.equal((await log.store.entryBySeq(seq))!.record, '');
      for (const seq of held) assert.notEqual((await log.store.entryBySeq(seq))!.record, '');
      assert.deepEqual((await verifyStore(log.store)).problems, []);
    });

    it('a hold placed while a batch is archived still protects it', async () => {
      const late: number[] = [];
      for (let i = 0; i < 3; i++)
        late.push((await submitted(log, 'u-late', clock)).entries[0]!.seq);
      clock.advance(2 * MONTH_MS);
      await setThirtyDayPolicy(audit, clock.now(), { source: 'billing', archive: true });
      let archived = 0;
      const runner = new PurgeRunner({
        store: log.store,
        audit,
        clock,
        // The archive write is where a purge waits longest: a hold placed meanwhile must win.
        beforePurge: async (entries) => {
          archived += entries.length;
          const hold: LegalHold = {
            id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8D',
            matter: 'late case',
            reason: 'placed during the archive write',
            source: null,
            actorId: 'u-late',
            targetId: null,
            fromMs: null,
            toMs: null,
            placedAtMs: clock.now(),
            placedBy: 'test',
            releasedAtMs: null,
            releasedBy: null,
            version: 1,
          };
          await audit.recordWithin(async (tx) => {
            await insertHold(tx, hold);
            const event = {
              principal: { kind: 'operator', id: 'test' } as const,
              action: 'legal_hold.place',
              details: holdDetails(hold),
            };
            return { events: [event], result: undefined };
          });
        },
      });
      await runner.runOnce();
      assert.ok(archived >= late.length, 'the late entries were about to be purged');
      for (const seq of late) assert.notEqual((await log.store.entryBySeq(seq))!.record, '');
      for (const seq of held) assert.notEqual((await log.store.entryBySeq(seq))!.record, '');
      assert.deepEqual((await verifyStore(log.store)).problems, []);
    });

    it('verify names a purge of a held entry, with its seq', async () => {
      const victim = held[0]!;
      // A faulty purger: its event and policy are right, but a live hold covers the entry.
      const purgeSeq = await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: {
          // billing's own policy, set by the test before.
          policy_source: 'billing',
          min: null,
          max: 'P30D',
          archive: true,
          cutoff: new Date(clock.now() - MONTH_MS).toISOString(),
          ranges: [`${victim}-${victim}`],
          count: 1,
        },
      });
      await log.store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq, seqs: [victim], atMs: clock.now() }),
      );
      const report = await verifyStore(log.store);
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'purge_of_held_entry');
      assert.equal(report.problems[0]!.seq, victim);
      assert.match(report.problems[0]!.message, /legal hold 01JD8X7Q6R3T9V2W4Y5Z6A7B8C/);
    });
  });
}

/**
 * Over the API, raw pages carry the `sha256:` actor and target digests a purge left, so
 * `verify --url` replays holds that name a person as `--data` does.
 */
describe('verify --url judges holds that name an actor or a target', () => {
  let t: TestServer;
  let baseUrl: string;
  let auditor: ApiClient;
  let audit: SelfAudit;
  const held: number[] = [];
  const other: number[] = [];

  before(async () => {
    t = await testServer();
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    audit = new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
    const a = await t.principal({ roles: ['admin'] });
    const b = await t.principal({ roles: ['admin'] });
    const asked = await call(t, 'PUT', '/api/v1/retention', a.headers, {
      source: '*',
      max: 'P30D',
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const id = asked.json().approval.id;
    assert.equal(
      (await call(t, 'POST', `/api/v1/approvals/${id}/approve`, b.headers)).statusCode,
      200,
    );
    for (const [matter, criterion] of [
      ['actor case', { actor_id: 'u-held' }],
      ['target case', { target_id: 'c-held' }],
    ] as const) {
      const placed = await call(t, 'POST', '/api/v1/holds', a.headers, {
        ...criterion,
        matter,
        reason: 'litigation',
      });
      assert.equal(placed.statusCode, 201, placed.body);
    }
    const key = await t.ingestKey('billing');
    for (const [actor, target, into] of [
      ['u-held', 'c-1', held],
      ['u-other', 'c-held', held],
      ['u-other', 'c-1', other],
      ['u-held', 'c-2', held],
      ['u-other', 'c-2', other],
    ] as const) {
      const res = await call(
        t,
        'POST',
        '/api/v1/events',
        key,
        event({ actor: { id: actor }, target: { type: 'customer', id: target } }),
      );
      assert.equal(res.statusCode, 201, res.body);
      into.push(res.json().entries[0].seq);
    }
    t.clock.advance(2 * MONTH_MS);
    const runner = new PurgeRunner({ store: t.log.store, audit, clock: t.clock });
    assert.equal((await runner.runOnce()).purged, other.length);
    const reader = await t.principal({ roles: ['auditor'] });
    auditor = new ApiClient({ baseUrl, token: reader.authorization.replace('Bearer ', '') });
  });
  after(async () => t.close());

  it('raw pages carry the digests of a purged entry, never the ids in clear', async () => {
    const page = await auditor.getJson<{ entries: Record<string, unknown>[] }>(
      '/api/v1/log/entries',
      { start: other[0]!, end: other[0]! + 1 },
    );
    const entry = page.entries[0]!;
    assert.equal(entry.purged, true);
    assert.match(String(entry.actor_id), /^sha256:[0-9a-f]{64}$/);
    assert.match(String(entry.target_id), /^sha256:[0-9a-f]{64}$/);
    assert.doesNotMatch(JSON.stringify(entry), /u-other|c-1/);
    const kept = await auditor.getJson<{ entries: Record<string, unknown>[] }>(
      '/api/v1/log/entries',
      { start: held[0]!, end: held[0]! + 1 },
    );
    assert.equal(kept.entries[0]!.actor_id, undefined, 'only purged entries carry the columns');
    assert.deepEqual((await verifyRemote(auditor, {})).problems, []);
  });

  // The target case first: its victim comes after the actor case's, so each is the first problem.
  for (const [criterion, index] of [
    ['target', 1],
    ['actor', 0],
  ] as const) {
    it(`names a purge of an entry a hold on its ${criterion} covered, with its seq`, async () => {
      const victim = held[index]!;
      // A faulty purger: the event and the policy are right, but a live hold covers the entry.
      const purgeSeq = await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: {
          policy_source: '*',
          min: null,
          max: 'P30D',
          archive: false,
          cutoff: new Date(t.clock.now() - MONTH_MS).toISOString(),
          ranges: [`${victim}-${victim}`],
          count: 1,
        },
      });
      await t.log.store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq, seqs: [victim], atMs: t.clock.now() }),
      );
      const report = await verifyRemote(auditor, {});
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'purge_of_held_entry');
      assert.equal(report.problems[0]!.seq, victim);
      assert.match(report.problems[0]!.message, new RegExp(`matter ${criterion} case`));
    });
  }
});
