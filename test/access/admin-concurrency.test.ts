import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory, type AccountRecord } from '../../src/access/accounts.js';
import { type AdminContext, adminContext } from '../../src/access/admin/admin-context.js';
import { AdminLock } from '../../src/access/admin/admin-lock.js';
import { approveRequest } from '../../src/access/admin/decide-approval.js';
import { requestAdminChange } from '../../src/access/admin/request-approval.js';
import { updatePrincipal } from '../../src/access/admin/update-principal.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import type { AccountPrincipal, Grant } from '../../src/access/principal.js';
import { AppError } from '../../src/errors.js';
import type { SelfAuditEvent } from '../../src/log/self-audit.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { accountRecord } from '../support/accounts.js';
import { STORES } from '../support/stores.js';

const account = (id: string, grants: Grant[]): AccountRecord => accountRecord(id, grants);

const as = (id: string): { principal: AccountPrincipal } => ({
  principal: {
    kind: 'person',
    id,
    name: id,
    grants: [{ role: 'admin' }],
    credential: { method: 'token', tokenId: 't' },
  },
});

const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : 'thrown';

for (const factory of STORES) {
  describe(`admin changes under concurrency: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let ctx: AdminContext;
    const events: SelfAuditEvent[] = [];

    before(async () => {
      ({ store, dispose } = await factory.create());
      const accounts = new AccountDirectory(store);
      ctx = adminContext({
        store,
        accounts,
        tokens: new ApiTokens(store.state),
        audit: {
          record: async (e) => {
            events.push(e);
            return events.length;
          },
          // The state change commits in a transaction; its events are kept when it does.
          recordWithin: async (work) => {
            const out = await store.transaction(work);
            events.push(...out.events);
            return { result: out.result, seqs: out.events.map((_, i) => events.length - i) };
          },
        },
        clock: new ManualClock(1_000_000),
      });
      for (const id of ['a', 'b', 'c']) await accounts.create(account(id, [{ role: 'admin' }]));
    });
    after(async () => dispose());

    it('never lets two admins disabling each other at once leave no admin', async () => {
      for (let round = 0; round < 5; round++) {
        // Only a and b hold admin in this round: c is disabled first.
        await updatePrincipal(ctx, as('a'), 'c', { disabled: true });
        const results = await Promise.allSettled([
          updatePrincipal(ctx, as('a'), 'b', { disabled: true }),
          updatePrincipal(ctx, as('b'), 'a', { disabled: true }),
        ]);
        assert.deepEqual(results.map(codeOf).sort(), ['conflict', 'ok'], `round ${round}`);
        const enabledAdmins = (await ctx.accounts.list()).filter(
          (x) => !x.disabled && x.grants.some((g) => g.role === 'admin'),
        );
        assert.equal(enabledAdmins.length, 1);
        const survivor = enabledAdmins[0]!.id;
        for (const id of ['a', 'b', 'c']) {
          if (id !== survivor) await updatePrincipal(ctx, as(survivor), id, { disabled: false });
        }
      }
    });

    it('applies one approval once when two admins approve it at the same moment', async () => {
      await ctx.accounts.create(account('d', []));
      const request = await requestAdminChange(
        ctx,
        as('a'),
        (await ctx.accounts.get('d'))!,
        'admin_grant',
        null,
      );
      const results = await Promise.allSettled([
        approveRequest(ctx, as('b'), request.id, null),
        approveRequest(ctx, as('c'), request.id, null),
      ]);
      assert.deepEqual(results.map(codeOf).sort(), ['conflict', 'ok']);
      const approvals = events.filter(
        (e) => e.action === 'approval.approve' && e.target?.id === request.id,
      );
      assert.equal(approvals.length, 1, 'one approval event');
      const grants = (await ctx.accounts.get('d'))!.grants;
      assert.deepEqual(grants, [{ role: 'admin' }]);
    });

    it('takes over a lock whose holder died, and answers 503 while a live one holds it', async () => {
      const clock = new ManualClock(5_000_000);
      const stale = JSON.stringify({ holder: 'dead', expiresAtMs: clock.now() - 1 });
      await store.putState('lock', 'admin-roles', stale, 0, clock.now());
      const lock = new AdminLock(store, clock, { attempts: 3, pauseMs: 1 });
      assert.equal(await lock.run(async () => 'ran'), 'ran');
      assert.equal(await store.getState('lock', 'admin-roles'), undefined, 'released');

      const live = JSON.stringify({ holder: 'alive', expiresAtMs: clock.now() + 10_000 });
      await store.putState('lock', 'admin-roles', live, 0, clock.now());
      await assert.rejects(
        lock.run(async () => 'never'),
        (e: unknown) => e instanceof AppError && e.code === 'unavailable',
      );
      const doc = (await store.getState('lock', 'admin-roles'))!;
      await store.deleteState('lock', 'admin-roles', doc.version);
    });
  });
}
