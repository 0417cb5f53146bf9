import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountRecord } from '../../src/access/accounts/accounts.js';
import type { ApprovalRecord } from '../../src/access/admin/approval.js';
import { approvalStatus } from '../../src/access/admin/approval.js';
import {
  adminChangeOf,
  diffGrants,
  isEmptyDiff,
  keepAdminAsIs,
} from '../../src/access/admin/role-change.js';
import {
  approverRefusal,
  credentialForAdminRefusal,
  inBootstrapWindow,
  lastAdminRefusal,
  rejecterRefusal,
  selfRoleChangeRefusal,
} from '../../src/access/admin/separation.js';
import { BOOTSTRAP_PRINCIPAL } from '../../src/access/authentication/bootstrap.js';
import type { AccountPrincipal, Grant } from '../../src/access/principal.js';
import { accountRecord } from '../support/accounts.js';

const account = (id: string, grants: Grant[], disabled = false): AccountRecord =>
  accountRecord(id, grants, { disabled });

function actor(id: string, grants: Grant[] = [{ role: 'admin' }]): AccountPrincipal {
  return { kind: 'person', id, name: id, grants, credential: { method: 'token', tokenId: 't' } };
}

function approval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: 'ap-1',
    change: 'admin_grant',
    subject: { id: 'sub', name: 'sub' },
    requestedBy: { id: 'req', name: 'req' },
    requestedAtMs: 0,
    expiresAtMs: 1000,
    reason: null,
    status: 'pending',
    decidedBy: null,
    decidedAtMs: null,
    decisionReason: null,
    ...overrides,
  };
}

describe('role changes', () => {
  it('diffs grants into given, taken and re-scoped roles', () => {
    const diff = diffGrants(
      [{ role: 'admin' }, { role: 'reviewer', sources: ['b-*', 'a'] }, { role: 'auditor' }],
      [
        { role: 'reviewer', sources: ['a', 'b-*'] },
        { role: 'auditor', sources: ['hr'] },
      ],
    );
    assert.deepEqual(diff.granted, []);
    assert.deepEqual(diff.revoked, [{ role: 'admin' }]);
    assert.deepEqual(diff.rescoped, [
      { grant: { role: 'auditor', sources: ['hr'] }, previous: undefined },
    ]);
    assert.equal(isEmptyDiff(diffGrants([{ role: 'auditor' }], [{ role: 'auditor' }])), true);
  });

  it('names the admin change, and keeps admin as it is in the part that applies at once', () => {
    assert.equal(adminChangeOf([], [{ role: 'admin' }]), 'admin_grant');
    assert.equal(adminChangeOf([{ role: 'admin' }], []), 'admin_revoke');
    assert.equal(
      adminChangeOf([{ role: 'admin' }], [{ role: 'admin' }, { role: 'auditor' }]),
      undefined,
    );
    assert.deepEqual(keepAdminAsIs([], [{ role: 'admin' }, { role: 'auditor' }]), [
      { role: 'auditor' },
    ]);
    assert.deepEqual(keepAdminAsIs([{ role: 'admin' }], [{ role: 'reviewer' }]), [
      { role: 'admin' },
      { role: 'reviewer' },
    ]);
  });
});

describe('separation of duties', () => {
  const admins = [account('a', [{ role: 'admin' }]), account('b', [{ role: 'admin' }])];
  // The enabled admins' ids, as activeAdminIds reads them in one query (its own test is in
  // test/store/tables/accounts.test.ts: enabled admin accounts only).
  const adminIds = admins.map((a) => a.id);

  it('opens the bootstrap window only for the bootstrap token and only without admin accounts', () => {
    assert.equal(inBootstrapWindow(BOOTSTRAP_PRINCIPAL, []), true);
    // An auditor account is no admin: the ids of enabled admins are still none.
    assert.equal(inBootstrapWindow(BOOTSTRAP_PRINCIPAL, []), true);
    assert.equal(inBootstrapWindow(BOOTSTRAP_PRINCIPAL, adminIds), false);
    assert.equal(inBootstrapWindow(actor('a'), []), false);
    // An account named like the bootstrap service but signed in otherwise is not it.
    assert.equal(inBootstrapWindow(actor('bootstrap'), []), false);
  });

  it('refuses self role changes and protects the last admin', () => {
    assert.equal(selfRoleChangeRefusal(actor('a'), 'a')?.code, 'forbidden');
    assert.equal(selfRoleChangeRefusal(actor('a'), 'b'), undefined);
    assert.equal(lastAdminRefusal(admins[0]!, adminIds), undefined);
    assert.equal(lastAdminRefusal(admins[0]!, ['a'])?.code, 'conflict');
    // b disabled: the enabled admins are a alone.
    const disabledOther = ['a'];
    assert.equal(lastAdminRefusal(admins[0]!, disabledOther)?.code, 'conflict');
    assert.equal(lastAdminRefusal(account('n', []), []), undefined, 'no admin to lose');
  });

  it('needs an approver who is neither the requester, the subject nor the bootstrap token', () => {
    assert.equal(approverRefusal(approval(), actor('req'))?.code, 'forbidden');
    assert.equal(approverRefusal(approval(), actor('sub'))?.code, 'forbidden');
    assert.equal(approverRefusal(approval(), BOOTSTRAP_PRINCIPAL)?.code, 'forbidden');
    assert.equal(approverRefusal(approval(), actor('third')), undefined);
    assert.equal(rejecterRefusal(approval(), actor('req')), undefined, 'withdrawing is fine');
    assert.equal(rejecterRefusal(approval(), actor('sub'))?.code, 'forbidden');
  });

  it("refuses setting another admin's credential unless they are the only admin account", () => {
    assert.equal(
      credentialForAdminRefusal(actor('a'), admins[1]!, adminIds, 'x')?.code,
      'forbidden',
    );
    assert.equal(credentialForAdminRefusal(actor('b'), admins[1]!, adminIds, 'x'), undefined);
    assert.equal(credentialForAdminRefusal(actor('a'), account('n', []), adminIds, 'x'), undefined);
    assert.equal(credentialForAdminRefusal(BOOTSTRAP_PRINCIPAL, admins[0]!, ['a'], 'x'), undefined);
  });

  it('derives expiry from the time', () => {
    assert.equal(approvalStatus(approval(), 999), 'pending');
    assert.equal(approvalStatus(approval(), 1000), 'expired');
    assert.equal(approvalStatus(approval({ status: 'approved' }), 5000), 'approved');
  });
});
