import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory, type AccountRecord } from '../../src/access/accounts/accounts.js';
import { inAdminChange } from '../../src/access/admin/admin-change.js';
import { type AdminContext, adminContext } from '../../src/access/admin/admin-context.js';
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
  r.status === 'fulfilled'
    ? 'ok'
    : r.reason instanceof AppError
      ? r.reason.code
      : `thrown ${r.reason}`;

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
          // The state and its events commit together: events are kept only when it commits.
          recordWithin: async (work) => {
            const { events: within, result } = await store.transaction(work);
            events.push(...within);
            return { result, seqs: within.map((_, i) => events.length - within.length + i + 1) };
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
      const subject = (await ctx.accounts.get('d'))!;
      const request = await inAdminChange(ctx, as('a'), (change) =>
        requestAdminChange(change, ctx, subject, 'admin_grant', null),
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
  });
}
