import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory, type AccountRecord } from '../../src/access/accounts/accounts.js';
import { hashPassword } from '../../src/access/accounts/passwords.js';
import { csrfTokenOf, Sessions, sessionIdOf } from '../../src/access/credentials/sessions.js';
import { checkPassword } from '../../src/access/sign-in/password-sign-in.js';
import { DEFAULT_LOCK_POLICY, NO_SIGN_INS } from '../../src/access/sign-in/sign-in-throttle.js';
import type { Store } from '../../src/store/store.js';
import { sessionById } from '../../src/store/tables/credentials/sessions-table.js';
import { accountRecord } from '../support/accounts.js';
import { TEST_SCRYPT } from '../support/sign-in.js';
import { STORES } from '../support/stores.js';

const T0 = Date.parse('2026-11-22T09:00:00.000Z');
const MINUTE = 60_000;

const account = (id: string, overrides: Partial<AccountRecord> = {}): AccountRecord =>
  accountRecord(id, [{ role: 'reviewer', sources: ['billing-*'] }], {
    createdAtMs: T0,
    ...overrides,
  });

/** Sessions and the sign-in bookkeeping over each Store adapter's tables. */
for (const factory of STORES) {
  describe(`sessions over the ${factory.name} store`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let accounts: AccountDirectory;
    let sessions: Sessions;

    before(async () => {
      ({ store, dispose } = await factory.create());
      accounts = new AccountDirectory(store);
      sessions = new Sessions(store.state, accounts, {
        idleMs: 30 * MINUTE,
        absoluteMs: 12 * 60 * MINUTE,
      });
      await accounts.create(account('ada'));
      await accounts.create(account('bob'));
    });
    after(async () => dispose());

    it('resolves a cookie to the person with current grants, the session credential and CSRF token', async () => {
      const ada = (await accounts.get('ada'))!;
      const started = await sessions.start(
        ada,
        { method: 'password', ip: '10.0.0.1', userAgent: 'ua' },
        T0,
      );
      assert.equal(started.id, sessionIdOf(started.cookie));
      assert.equal(started.csrfToken, csrfTokenOf(started.cookie));
      assert.notEqual(started.csrfToken, started.id);
      const row = await sessionById(store.state, started.id);
      assert.ok(row);
      const raw = JSON.stringify(row);
      assert.equal(raw.includes(started.cookie), false, 'the cookie is not stored');
      assert.equal(raw.includes(started.csrfToken), false, 'nor the CSRF token');

      const p = await sessions.resolve(started.cookie, T0 + MINUTE);
      assert.deepEqual(p, {
        kind: 'person',
        id: 'ada',
        name: 'ada',
        grants: [{ role: 'reviewer', sources: ['billing-*'] }],
        credential: { method: 'session', sessionId: started.id, csrfToken: started.csrfToken },
      });
      assert.equal(await sessions.resolve('x'.repeat(43), T0), undefined);
      assert.equal(await sessions.resolve(started.id, T0), undefined, 'the id is not a cookie');
    });

    it('expires idle and absolute, revokes one or all of an account, and purges the stale', async () => {
      const ada = (await accounts.get('ada'))!;
      const bob = (await accounts.get('bob'))!;
      const meta = { method: 'oidc' as const, ip: null, userAgent: null };
      const idle = await sessions.start(ada, meta, T0);
      assert.ok(await sessions.resolve(idle.cookie, T0 + 30 * MINUTE - 1));
      // Touched at T0+30m-1: alive until 30 minutes after that.
      assert.ok(await sessions.resolve(idle.cookie, T0 + 59 * MINUTE));
      assert.equal(await sessions.resolve(idle.cookie, T0 + 89 * MINUTE + 1), undefined);

      await accounts.create(account('dora'));
      const dora = (await accounts.get('dora'))!;
      const a1 = await sessions.start(dora, meta, T0);
      const a2 = await sessions.start(dora, meta, T0);
      const b1 = await sessions.start(bob, meta, T0);
      assert.equal(await sessions.revokeAccount('dora', a1.id), 1);
      assert.ok(await sessions.resolve(a1.cookie, T0 + MINUTE));
      assert.equal(await sessions.resolve(a2.cookie, T0 + MINUTE), undefined);
      assert.equal(await sessions.revoke(a1.id), true);
      assert.equal(await sessions.revoke(a1.id), false);

      // b1 is never presented again: purge finds it once it is past the idle timeout.
      assert.equal(await sessions.purgeExpired(T0 + 29 * MINUTE), 0);
      assert.equal(await sessions.purgeExpired(T0 + 30 * MINUTE), 1);
      assert.equal(await sessions.get(b1.id), undefined);
    });

    it('counts password failures in the account document, under concurrency', async () => {
      await accounts.create(
        account('carl', { passwordHash: await hashPassword('right password!', TEST_SCRYPT) }),
      );
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          checkPassword(
            accounts,
            { name: 'carl', password: `wrong ${i}` },
            T0,
            DEFAULT_LOCK_POLICY,
            TEST_SCRYPT,
          ),
        ),
      );
      const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
      assert.equal(reasons.filter((r) => r === 'bad_password').length, 5, reasons.join(' '));
      const carl = (await accounts.get('carl'))!;
      assert.equal(carl.signIn.failures, 5);
      assert.equal(carl.signIn.lockedUntilMs, T0 + MINUTE);
      const right = await checkPassword(
        accounts,
        { name: 'carl', password: 'right password!' },
        T0 + MINUTE,
        DEFAULT_LOCK_POLICY,
        TEST_SCRYPT,
      );
      assert.equal(right.ok, true);
      assert.deepEqual((await accounts.get('carl'))!.signIn, {
        ...NO_SIGN_INS,
        lastSuccessMs: T0 + MINUTE,
      });
    });
  });
}
