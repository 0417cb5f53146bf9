import { AppError } from '../../errors.js';
import { type AccountRecord, hasRole } from '../accounts/accounts.js';
import type { AccountPrincipal } from '../principal.js';
import { isBootstrap } from './admin-context.js';
import type { ApprovalRecord } from './approval.js';
import { CREDENTIAL_CONTROL_DAYS, setCredentialsOf } from './credential-control.js';

/**
 * Separation of duties (docs/security.md; ISO 27001 A.5.3, A.8.2). Pure checks:
 * each returns the refusal to record and throw, or undefined when the step may go ahead.
 */

/*
 * `adminIds` below: the ids of the enabled accounts holding admin, as one query reads them
 * inside the change's transaction (activeAdminIds). The bootstrap token is not an account and
 * never counts.
 */

/**
 * The bootstrap window: while no account holds admin, the bootstrap token may grant it
 * directly — otherwise nobody could become the first admin. It closes for good with the
 * first admin account, because the last admin can neither lose admin nor be disabled.
 */
export function inBootstrapWindow(actor: AccountPrincipal, adminIds: readonly string[]): boolean {
  return isBootstrap(actor) && adminIds.length === 0;
}

/** A person cannot raise (or otherwise change) their own privileges. */
export function selfRoleChangeRefusal(
  actor: AccountPrincipal,
  subjectId: string,
): AppError | undefined {
  if (actor.id !== subjectId) return undefined;
  return new AppError(
    'self_role_change',
    'nobody changes their own roles, not even to drop one; ask another admin',
  );
}

export function selfDisableRefusal(
  actor: AccountPrincipal,
  subjectId: string,
): AppError | undefined {
  if (actor.id !== subjectId) return undefined;
  return new AppError('self_disable', 'you cannot disable your own account; ask another admin');
}

/** Taking admin from `subject` (revoke or disable) must leave another enabled admin account. */
export function lastAdminRefusal(
  subject: AccountRecord,
  adminIds: readonly string[],
): AppError | undefined {
  if (subject.disabled || !hasRole(subject, 'admin')) return undefined;
  if (adminIds.some((id) => id !== subject.id)) return undefined;
  return new AppError(
    'last_admin',
    `"${subject.name}" is the last admin account; make another admin (approved by this one) first`,
  );
}

/**
 * The second pair of eyes: a named admin who neither asked nor is the subject. The shared
 * bootstrap token cannot approve: whoever asked may hold it too.
 */
export function approverRefusal(
  approval: ApprovalRecord,
  actor: AccountPrincipal,
): AppError | undefined {
  if (isBootstrap(actor)) {
    return new AppError(
      'shared_token_approval',
      'the bootstrap token is shared, so it cannot be the second pair of eyes; approve as a named admin',
    );
  }
  if (actor.id === approval.requestedBy.id) {
    return new AppError(
      'self_approval',
      'you asked for this change; a different admin must approve it',
    );
  }
  if (actor.id === approval.subject.id) {
    return new AppError(
      'own_account_decision',
      'this change is about your own account; a different admin must approve it',
    );
  }
  return undefined;
}

/** Anyone with approvals.decide may reject or withdraw — except the subject, who could block their own removal. */
export function rejecterRefusal(
  approval: ApprovalRecord,
  actor: AccountPrincipal,
): AppError | undefined {
  if (actor.id !== approval.subject.id) return undefined;
  return new AppError(
    'own_account_decision',
    'this change is about your own account; a different admin must decide it',
  );
}

/**
 * A credential one admin sets for another admin account (a password, a token) would let them
 * act as two admins and approve their own requests. An account waiting for an admin grant is
 * protected the same way: otherwise its credentials are set while the request waits, and the
 * approval then makes it an admin someone else can sign in as. Allowed only when the subject
 * is the one admin account there is (recovery), where there is no second pair of eyes to fake.
 */
export function credentialForAdminRefusal(
  actor: AccountPrincipal,
  subject: AccountRecord,
  adminIds: readonly string[],
  what: string,
  pendingAdminGrant = false,
): AppError | undefined {
  if (actor.id === subject.id) return undefined;
  if (pendingAdminGrant) {
    return new AppError(
      'acts_as_two_admins',
      `"${subject.name}" is waiting for an admin grant: ${what} by someone else would let one person act as two admins; reject the request first`,
    );
  }
  if (!hasRole(subject, 'admin')) return undefined;
  if (adminIds.every((id) => id === subject.id)) return undefined;
  return new AppError(
    'acts_as_two_admins',
    `"${subject.name}" holds admin: ${what} by someone else would let one person act as two admins`,
  );
}

/**
 * Admin for an account whose credentials the requester or the approver set within
 * CREDENTIAL_CONTROL_DAYS would make that admin two admins: refused, for both sides.
 */
export function credentialControlRefusal(
  subject: AccountRecord,
  principalId: string,
  role: 'requester' | 'approver',
  nowMs: number,
): AppError | undefined {
  if (!setCredentialsOf(subject, principalId, nowMs)) return undefined;
  return new AppError(
    'credential_controlled',
    `the ${role} set "${subject.name}"'s credentials (password, OpenID Connect link or token) within the last ${CREDENTIAL_CONTROL_DAYS} days and could sign in as them; admin for "${subject.name}" needs a requester and an approver who did not`,
  );
}
