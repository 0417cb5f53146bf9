import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUniqueViolation } from '../../../src/store/sql/query-runner.js';
import type { Store } from '../../../src/store/store.js';
import {
  type ApiTokenRow,
  apiTokenById,
  apiTokensOfPrincipal,
  approveApiToken,
  insertApiToken,
  revokeApiToken,
  touchApiToken,
} from '../../../src/store/tables/credentials/api-tokens-table.js';
import {
  cliHandoffById,
  deleteCliHandoff,
  deleteExpiredCliHandoffs,
  insertCliHandoff,
} from '../../../src/store/tables/credentials/cli-handoffs-table.js';
import {
  deleteExpiredOidcFlows,
  deleteOidcFlow,
  insertOidcFlow,
  type OidcFlowRow,
  oidcFlowById,
} from '../../../src/store/tables/credentials/oidc-flows-table.js';
import {
  deleteExpiredSessions,
  deleteSessionsOfPrincipal,
  insertSession,
  type SessionRow,
  sessionById,
  sessionsOfPrincipal,
  touchSession,
} from '../../../src/store/tables/credentials/sessions-table.js';
import { STORES } from '../../support/stores.js';

const T0 = Date.parse('2026-12-03T09:00:00.000Z');
const MINUTE = 60_000;
/** Past 2^32 ms, so a 32-bit column or a lost BIGINT conversion shows. */
const LATE = 2 ** 41 + 7;

const token = (id: string, principalId: string, overrides: Partial<ApiTokenRow> = {}) =>
  ({
    id,
    principalId,
    secretHash: `hash-of-${id}`,
    label: `label ${id}`,
    roles: ['auditor', 'reviewer'],
    createdAtMs: T0,
    createdBy: 'admin-1',
    expiresAtMs: LATE,
    revokedAtMs: null,
    revokedBy: null,
    lastUsedAtMs: null,
    awaitingApproval: false,
    version: 1,
    ...overrides,
  }) satisfies ApiTokenRow;

const session = (id: string, principalId: string, overrides: Partial<SessionRow> = {}) =>
  ({
    id,
    principalId,
    method: 'password',
    createdAtMs: T0,
    lastSeenAtMs: T0,
    expiresAtMs: T0 + 30 * MINUTE,
    ip: '10.0.0.1',
    userAgent: null,
    version: 1,
    ...overrides,
  }) satisfies SessionRow;

const flow = (id: string, overrides: Partial<OidcFlowRow> = {}): OidcFlowRow => ({
  id,
  nonce: `nonce-${id}`,
  codeVerifier: `verifier-${id}`,
  returnTo: '/dashboard',
  browserHash: `browser-${id}`,
  cli: null,
  createdAtMs: T0,
  expiresAtMs: T0 + 10 * MINUTE,
  ...overrides,
});

for (const factory of STORES) {
  describe(`credential tables: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    it('stores a token as given and finds one principal’s tokens, oldest first', async () => {
      const q = store.state;
      await insertApiToken(q, token('t-2', 'ada', { createdAtMs: T0 + 1 }));
      await insertApiToken(q, token('t-1', 'ada', { roles: null, label: null }));
      await insertApiToken(q, token('t-3', 'bob', { awaitingApproval: true }));
      assert.deepEqual(
        await apiTokenById(q, 't-1'),
        token('t-1', 'ada', { roles: null, label: null }),
      );
      assert.deepEqual(
        await apiTokenById(q, 't-3'),
        token('t-3', 'bob', { awaitingApproval: true }),
      );
      assert.equal(await apiTokenById(q, 't-9'), undefined);
      assert.deepEqual(
        (await apiTokensOfPrincipal(q, 'ada')).map((t) => t.id),
        ['t-1', 't-2'],
      );
      assert.deepEqual(await apiTokensOfPrincipal(q, 'nobody'), []);
    });

    it('keeps token ids and secret hashes unique in constraints', async () => {
      const q = store.state;
      await assert.rejects(insertApiToken(q, token('t-1', 'eve')), isUniqueViolation);
      await assert.rejects(
        insertApiToken(q, token('t-new', 'eve', { secretHash: 'hash-of-t-2' })),
        isUniqueViolation,
      );
      assert.deepEqual(await apiTokensOfPrincipal(q, 'eve'), []);
    });

    it('revokes once, approves, and notes a use at most once per interval', async () => {
      const q = store.state;
      assert.equal(await revokeApiToken(q, 't-2', 'ada', T0 + 5), 1);
      assert.equal(await revokeApiToken(q, 't-2', 'root', T0 + 9), 0, 'the first revocation stays');
      const revoked = await apiTokenById(q, 't-2');
      assert.equal(revoked?.revokedAtMs, T0 + 5);
      assert.equal(revoked?.revokedBy, 'ada');
      assert.equal(revoked?.version, 2);
      assert.equal(await revokeApiToken(q, 'missing', 'ada', T0), 0);

      assert.equal(await approveApiToken(q, 't-3'), 1);
      assert.equal((await apiTokenById(q, 't-3'))?.awaitingApproval, false);
      assert.equal(await approveApiToken(q, 'missing'), 0);

      assert.equal(await touchApiToken(q, 't-1', T0 + MINUTE, T0), 1, 'never used: noted');
      assert.equal(
        await touchApiToken(q, 't-1', T0 + 90_000, T0 + 30_000),
        0,
        'fresh: not written',
      );
      assert.equal(await touchApiToken(q, 't-1', LATE, LATE - MINUTE), 1, 'stale: noted');
      assert.equal((await apiTokenById(q, 't-1'))?.lastUsedAtMs, LATE);
    });

    it('stores sessions, finds one principal’s, and touches them by compare-and-set', async () => {
      const q = store.state;
      await insertSession(q, session('s-1', 'ada'));
      await insertSession(q, session('s-2', 'ada', { method: 'oidc', createdAtMs: T0 + 1 }));
      await insertSession(q, session('s-3', 'bob', { userAgent: 'curl/8' }));
      assert.deepEqual(await sessionById(q, 's-3'), session('s-3', 'bob', { userAgent: 'curl/8' }));
      assert.deepEqual(
        (await sessionsOfPrincipal(q, 'ada')).map((s) => s.id),
        ['s-1', 's-2'],
      );
      assert.equal(await touchSession(q, { id: 's-1', version: 1 }, T0 + MINUTE, LATE), 1);
      assert.equal(await touchSession(q, { id: 's-1', version: 1 }, T0 + 2 * MINUTE, LATE), 0);
      assert.deepEqual(
        await sessionById(q, 's-1'),
        session('s-1', 'ada', { lastSeenAtMs: T0 + MINUTE, expiresAtMs: LATE, version: 2 }),
      );
      await assert.rejects(insertSession(q, session('s-1', 'eve')), isUniqueViolation);
    });

    it('ends one principal’s sessions but one, and purges by the limits in force', async () => {
      const q = store.state;
      assert.equal(await deleteSessionsOfPrincipal(q, 'ada', 's-2'), 1);
      assert.deepEqual(
        (await sessionsOfPrincipal(q, 'ada')).map((s) => s.id),
        ['s-2'],
      );
      // s-2 and s-3: last seen T0, stored expiry T0+30m. With a 30-minute idle limit both go
      // at T0+30m, not a millisecond before; with a longer limit in force, neither goes.
      const limits = { idleMs: 30 * MINUTE, absoluteMs: 12 * 60 * MINUTE };
      assert.equal(await deleteExpiredSessions(q, T0 + 30 * MINUTE - 1, limits), 0);
      assert.equal(
        await deleteExpiredSessions(q, T0 + 30 * MINUTE, { ...limits, idleMs: 60 * MINUTE }),
        0,
      );
      assert.equal(await deleteExpiredSessions(q, T0 + 30 * MINUTE, limits), 2);
      assert.equal(await sessionById(q, 's-3'), undefined);
    });

    it('takes a sign-in flow once, and deletes expired flows in one statement', async () => {
      const q = store.state;
      const cli = {
        redirect: 'http://127.0.0.1:5000/cb',
        challenge: 'c'.repeat(43),
        state: 's'.repeat(16),
      };
      await insertOidcFlow(q, flow('f-1'));
      await insertOidcFlow(q, flow('f-2', { cli }));
      await insertOidcFlow(q, flow('f-3', { expiresAtMs: T0 + 20 * MINUTE }));
      assert.deepEqual(await oidcFlowById(q, 'f-2'), flow('f-2', { cli }));
      assert.equal(await deleteOidcFlow(q, 'f-1'), 1);
      assert.equal(await deleteOidcFlow(q, 'f-1'), 0, 'a state is honoured once');
      assert.equal(await deleteExpiredOidcFlows(q, T0 + 10 * MINUTE - 1), 0);
      assert.equal(await deleteExpiredOidcFlows(q, T0 + 10 * MINUTE), 1);
      assert.equal(await oidcFlowById(q, 'f-2'), undefined);
      assert.ok(await oidcFlowById(q, 'f-3'));
    });

    it('takes a CLI code once, and deletes expired codes in one statement', async () => {
      const q = store.state;
      const code = {
        id: 'h-1',
        principalId: 'olga',
        challenge: 'x'.repeat(43),
        expiresAtMs: T0 + MINUTE,
      };
      await insertCliHandoff(q, code);
      await insertCliHandoff(q, { ...code, id: 'h-2', expiresAtMs: LATE });
      assert.deepEqual(await cliHandoffById(q, 'h-1'), code);
      assert.equal(await deleteExpiredCliHandoffs(q, T0 + MINUTE - 1), 0);
      assert.equal(await deleteExpiredCliHandoffs(q, T0 + MINUTE), 1);
      assert.equal(await deleteCliHandoff(q, 'h-2'), 1);
      assert.equal(await deleteCliHandoff(q, 'h-2'), 0);
    });

    it('rolls every credential write of a failed transaction back', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await insertApiToken(tx, token('t-tx', 'zoe', { secretHash: 'hash-tx' }));
          await insertSession(tx, session('s-tx', 'zoe'));
          assert.equal(await revokeApiToken(tx, 't-1', 'zoe', T0), 1);
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.equal(await apiTokenById(store.state, 't-tx'), undefined);
      assert.equal(await sessionById(store.state, 's-tx'), undefined);
      assert.equal((await apiTokenById(store.state, 't-1'))?.revokedAtMs, null);
    });
  });
}
