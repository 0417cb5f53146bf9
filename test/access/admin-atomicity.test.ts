import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { inAdminChange } from '../../src/access/admin/admin-change.js';
import { type AdminContext, adminContext } from '../../src/access/admin/admin-context.js';
import { approveRequest } from '../../src/access/admin/decide-approval.js';
import { requestAdminChange } from '../../src/access/admin/request-approval.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import type { AccountPrincipal, Grant } from '../../src/access/principal.js';
import { AppError } from '../../src/errors.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import type { QueryRunner } from '../../src/store/sql/query-runner.js';
import { approvalById } from '../../src/store/tables/accounts/approvals-table.js';
import { ManualClock } from '../../src/util/clock.js';
import { accountRecord } from '../support/accounts.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

/**
 * An approval and the change it approves are one transaction with their events: when anything
 * fails after the request was marked approved (here: the write that gives the role), nothing
 * is kept — the request is still pending, the subject has no admin, and the log has no
 * `approval.approve` event. Through the real sequencer, on both stores.
 */
const as = (id: string): { principal: AccountPrincipal } => ({
  principal: {
    kind: 'person',
    id,
    name: id,
    grants: [{ role: 'admin' }],
    credential: { method: 'token', tokenId: 't' },
  },
});

const stores = [
  { name: 'sqlite', databaseUrl: async () => ({ url: undefined, drop: async () => {} }) },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          databaseUrl: async () => {
            const pg = await freshPgSchema();
            return { url: `${pg.url}?schema=${pg.schema}`, drop: pg.drop };
          },
        },
      ]
    : []),
];

/** `tx` whose writes to `accounts` fail: the crash between marking and applying. */
function failingAccountWrites(tx: QueryRunner): QueryRunner {
  return {
    ...tx,
    run: (query) => {
      if (/^update ("[^"]+"\.)?"accounts"/.test(query.compile().sql)) {
        return Promise.reject(new Error('the process died while applying the change'));
      }
      return tx.run(query);
    },
  };
}

for (const kind of stores) {
  describe(`an approval is never approved without its change: ${kind.name}`, () => {
    let log: OpenLog;
    let cleanup: () => Promise<void>;
    after(async () => cleanup());

    it('keeps nothing, and records no event, when applying fails after the request was marked', async () => {
      const dir = tempDir();
      const db = await kind.databaseUrl();
      const clock = new ManualClock(START_MS);
      log = await openLog({
        dataDir: dir,
        origin: TEST_ORIGIN,
        clock,
        ...(db.url ? { databaseUrl: db.url } : {}),
      });
      cleanup = async () => {
        await log.close();
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      const audit = new SelfAudit(log.sequencer, TEST_ORIGIN, clock);
      const accounts = new AccountDirectory(log.store);
      const deps = { store: log.store, accounts, tokens: new ApiTokens(log.store.state), clock };
      const ctx: AdminContext = adminContext({ ...deps, audit });
      const admin: Grant[] = [{ role: 'admin' }];
      for (const id of ['a', 'b']) await accounts.create(accountRecord(id, admin));
      await accounts.create(accountRecord('d', []));
      const request = await inAdminChange(ctx, as('a'), async (change) =>
        requestAdminChange(change, ctx, (await accounts.get('d'))!, 'admin_grant', null),
      );

      const crashing: AdminContext = adminContext({
        ...deps,
        audit: {
          record: (e) => audit.record(e),
          recordWithin: (work) => audit.recordWithin((tx) => work(failingAccountWrites(tx))),
        },
      });
      // The sequencer answers a failed batch as one that did not commit (503), whatever failed.
      await assert.rejects(
        approveRequest(crashing, as('b'), request.id, null),
        (e: unknown) => e instanceof AppError && e.reason === 'commit_failed',
      );

      assert.equal((await approvalById(log.store.state, request.id))?.status, 'pending');
      assert.deepEqual((await accounts.get('d'))?.grants, []);
      const size = (await log.store.head())?.size ?? 0;
      const actions = (await log.store.entries(0, size)).map((e) => JSON.parse(e.record).action);
      assert.deepEqual(actions, ['approval.request'], 'no approval or role event');

      // And the same approval, without the failure, applies with both events.
      await approveRequest(ctx, as('b'), request.id, null);
      assert.equal((await approvalById(log.store.state, request.id))?.status, 'approved');
      assert.deepEqual((await accounts.get('d'))?.grants, admin);
      const after = (await log.store.entries(0, (await log.store.head())!.size)).map(
        (e) => JSON.parse(e.record).action,
      );
      assert.deepEqual(after, ['approval.request', 'approval.approve', 'principal.role_grant']);
    });
  });
}
