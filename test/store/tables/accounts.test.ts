/**
 * The account and approval repositories (src/store/tables/accounts/) on every adapter:
 * uniqueness by constraint, roles read back in order, keyset pages filtered in SQL, the one
 * query that counts enabled admins, and one pending request per subject and change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountRecord } from '../../../src/access/accounts/accounts.js';
import type { ApprovalRecord } from '../../../src/access/admin/approval.js';
import type { Grant } from '../../../src/access/principal.js';
import { AppError } from '../../../src/errors.js';
import type { Store } from '../../../src/store/store.js';
import {
  accountById,
  accountByName,
  accountByOidc,
  accountPage,
  activeAdminIds,
  changeAccount,
  insertAccount,
} from '../../../src/store/tables/accounts/accounts-table.js';
import {
  approvalById,
  approvalsByStatus,
  insertApproval,
  pendingApproval,
  saveDecision,
} from '../../../src/store/tables/accounts/approvals-table.js';
import {
  fourEyesDocument,
  saveFourEyesDocument,
} from '../../../src/store/tables/accounts/four-eyes-document.js';
import { accountRecord } from '../../support/accounts.js';
import { STORES } from '../../support/stores.js';

const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.reason : `thrown ${e}`;
  }
};

const person = (id: string, grants: Grant[], overrides: Partial<AccountRecord> = {}) =>
  accountRecord(id, grants, { credentialsSetBy: [], ...overrides });

function approval(id: string, subject: string, overrides: Partial<ApprovalRecord> = {}) {
  return {
    id,
    change: 'admin_grant',
    subject: { id: subject, name: subject },
    requestedBy: { id: 'a', name: 'a' },
    requestedAtMs: 1_000,
    expiresAtMs: 10_000,
    reason: null,
    status: 'pending',
    decidedBy: null,
    decidedAtMs: null,
    decisionReason: null,
    ...overrides,
  } as ApprovalRecord;
}

for (const factory of STORES) {
  describe(`account tables: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const insert = (a: AccountRecord) => store.transaction((tx) => insertAccount(tx, a, 1));

    before(async () => {
      ({ store, dispose } = await factory.create());
      await insert(person('a', [{ role: 'admin' }]));
      await insert(person('b', [{ role: 'admin' }, { role: 'reviewer', sources: ['billing-*'] }]));
      await insert(person('c', [{ role: 'admin' }], { disabled: true }));
      await insert(person('d', []));
      await insert(
        person('e', [{ role: 'reviewer' }, { role: 'auditor' }], {
          kind: 'service',
          signIn: { failures: 2, lastFailureMs: 5, lockedUntilMs: 6, lastSuccessMs: 7 },
          credentialsSetBy: [{ by: 'a', credential: 'token', atMs: 9 }],
        }),
      );
    });
    after(async () => dispose());

    it('reads an account back as it was written, roles in their order', async () => {
      const e = await accountById(store.state, 'e');
      assert.deepEqual(e, {
        ...person('e', [{ role: 'reviewer' }, { role: 'auditor' }]),
        kind: 'service',
        signIn: { failures: 2, lastFailureMs: 5, lockedUntilMs: 6, lastSuccessMs: 7 },
        credentialsSetBy: [{ by: 'a', credential: 'token', atMs: 9 }],
      });
      assert.deepEqual((await accountByName(store.state, 'b'))?.grants, [
        { role: 'admin' },
        { role: 'reviewer', sources: ['billing-*'] },
      ]);
      assert.equal(await accountById(store.state, 'nobody'), undefined);
    });

    it('keeps names and OpenID identities unique by constraint', async () => {
      assert.equal(await reasonOf(insert(person('x', [], { name: 'a' }))), 'name_taken');
      const oidc = { issuer: 'https://id.example', subject: 's-1' };
      await insert(person('f', [], { oidc }));
      assert.equal(await reasonOf(insert(person('g', [], { oidc }))), 'identity_linked');
      assert.equal((await accountByOidc(store.state, oidc.issuer, oidc.subject))?.id, 'f');
      // A refused insert leaves nothing behind, roles included.
      assert.equal(await accountById(store.state, 'x'), undefined);
      assert.equal(await accountById(store.state, 'g'), undefined);
    });

    it('counts enabled admin accounts only, in one query', async () => {
      assert.deepEqual(await activeAdminIds(store.state), ['a', 'b']);
    });

    it('pages in creation order, filtered by kind and role in SQL', async () => {
      const ids = async (f: Parameters<typeof accountPage>[1]) =>
        (await accountPage(store.state, f)).map((a) => a.id);
      assert.deepEqual(await ids({ limit: 2 }), ['a', 'b']);
      assert.deepEqual(await ids({ limit: 2, afterId: 'b' }), ['c', 'd']);
      assert.deepEqual(await ids({ limit: 10, role: 'reviewer' }), ['b', 'e']);
      assert.deepEqual(await ids({ limit: 10, role: 'admin', afterId: 'a' }), ['b', 'c']);
      assert.deepEqual(await ids({ limit: 10, kind: 'service' }), ['e']);
      assert.deepEqual(await ids({ limit: 10, kind: 'person', role: 'auditor' }), []);
    });

    it('replaces roles with the account, in one transaction', async () => {
      await store.transaction((tx) =>
        changeAccount(tx, 'd', (d) => ({ ...d, grants: [{ role: 'auditor' }] }), 2),
      );
      assert.deepEqual((await accountById(store.state, 'd'))?.grants, [{ role: 'auditor' }]);
      await assert.rejects(
        store.transaction(async (tx) => {
          await changeAccount(tx, 'd', (d) => ({ ...d, grants: [] }), 3);
          throw new Error('refused after writing');
        }),
      );
      assert.deepEqual((await accountById(store.state, 'd'))?.grants, [{ role: 'auditor' }]);
    });

    it('keeps one pending request per subject and change; a lapsed one gives way', async () => {
      const open = (id: string, atMs: number) =>
        store.transaction((tx) => insertApproval(tx, approval(id, 'd'), atMs));
      await open('r1', 1_000);
      assert.equal(await reasonOf(open('r2', 2_000)), 'approval_pending');
      assert.equal((await pendingApproval(store.state, 'd', 'admin_grant', 2_000))?.id, 'r1');
      // r1 lapses at 10 000: a new request is stored, and r1 is marked expired.
      await open('r3', 20_000);
      assert.equal((await approvalById(store.state, 'r1'))?.status, 'expired');
      assert.equal((await pendingApproval(store.state, 'd', 'admin_grant', 20_000))?.id, undefined);
      assert.deepEqual(
        (await approvalsByStatus(store.state, 'expired', 20_000)).map((a) => a.id),
        ['r3', 'r1'],
      );
      assert.deepEqual(
        (await approvalsByStatus(store.state, 'pending', 5_000)).map((a) => a.id),
        ['r3'],
      );
    });

    it('decides a request once', async () => {
      await store.transaction((tx) =>
        insertApproval(tx, approval('r4', 'e', { grants: [{ role: 'auditor' }] }), 1_000),
      );
      const found = (await approvalById(store.state, 'r4'))!;
      assert.deepEqual(found.grants, [{ role: 'auditor' }]);
      const decided: ApprovalRecord = {
        ...found,
        status: 'approved',
        decidedBy: { id: 'b', name: 'b' },
        decidedAtMs: 2_000,
        decisionReason: 'ok',
      };
      await store.transaction((tx) => saveDecision(tx, found, decided, 2_000));
      assert.deepEqual(await approvalById(store.state, 'r4'), decided);
      assert.equal(
        await reasonOf(store.transaction((tx) => saveDecision(tx, found, decided, 3_000))),
        'approval_not_pending',
      );
    });

    it('keeps the four-eyes settings as one document', async () => {
      assert.equal(await fourEyesDocument(store.state), undefined);
      const off = { readerGrants: 'off', changedBy: 'a', changedAtMs: 5 } as const;
      await store.transaction((tx) => saveFourEyesDocument(tx, off, 5));
      await store.transaction((tx) => saveFourEyesDocument(tx, { ...off, readerGrants: 'on' }, 6));
      assert.deepEqual(await fourEyesDocument(store.state), { ...off, readerGrants: 'on' });
    });
  });
}
