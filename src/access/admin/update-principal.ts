import { AppError } from '../../errors.js';
import {
  accountById,
  activeAdminIds,
  changeAccount,
} from '../../store/tables/accounts/accounts-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import { inAdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { principalTarget } from './admin-events.js';
import { withCredentialSet } from './credential-control.js';
import type { PrincipalPatch } from './principal-input.js';
import { pendingApproval } from './request-approval.js';
import { credentialForAdminRefusal, lastAdminRefusal, selfDisableRefusal } from './separation.js';

/**
 * Changes a principal's profile, enables or disables it, or resets its password, with its
 * events in one transaction. Disabling locks the admin rows (it can take the last admin
 * away); a reset clears the sign-in lock-out so the person can use the new password.
 */
export async function updatePrincipal(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  patch: PrincipalPatch,
): Promise<AccountRecord> {
  const passwordHash = await hashIfAllowed(ctx, id, patch);
  const { updated, disabling } = await inAdminChange(ctx, actor, async (change) => {
    const { tx, nowMs: now } = change;
    const current = await accountById(tx, id, { lock: true });
    if (!current) throw new AppError('not_found', `no principal ${id}`);
    const target = principalTarget(current);
    const disabling = patch.disabled === true && !current.disabled;
    const enabling = patch.disabled === false && current.disabled;
    if (disabling) {
      const refusal = selfDisableRefusal(actor.principal, id);
      if (refusal) change.refuse(refusal, { action: 'principal.disable', target });
    }
    if (passwordHash !== undefined) {
      const refusal = credentialForAdminRefusal(
        actor.principal,
        current,
        await activeAdminIds(tx, { lock: true }),
        'a password set',
        (await pendingApproval(tx, id, 'admin_grant', now)) !== undefined,
      );
      if (refusal) {
        change.refuse(refusal, {
          action: 'principal.update',
          target,
          details: { fields: ['password'] },
        });
      }
    }
    if (disabling) {
      const refusal = lastAdminRefusal(current, await activeAdminIds(tx, { lock: true }));
      if (refusal) change.refuse(refusal, { action: 'principal.disable', target });
    }
    const fields = [
      ...(patch.displayName !== undefined && patch.displayName !== current.displayName
        ? ['display_name']
        : []),
      ...(patch.email !== undefined && patch.email !== current.email ? ['email'] : []),
      ...(passwordHash !== undefined ? ['password'] : []),
    ];
    const updated = (await changeAccount(
      tx,
      id,
      (latest) => ({
        ...(passwordHash === undefined
          ? latest
          : withCredentialSet(latest, actor.principal.id, 'password', now)),
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(passwordHash !== undefined
          ? { passwordHash, signIn: { ...latest.signIn, failures: 0, lockedUntilMs: null } }
          : {}),
      }),
      now,
    ))!;
    if (fields.length > 0) {
      change.record({ action: 'principal.update', target, details: { fields } });
    }
    if (disabling) change.record({ action: 'principal.disable', target });
    if (enabling) change.record({ action: 'principal.enable', target });
    return { updated, disabling };
  });
  // Disabling stops the principal's credentials at once, cached ones included.
  if (disabling) ctx.forgetCached();
  return updated;
}

/**
 * The new password's hash, made before the transaction (scrypt is slow and the log's writer
 * waits for nobody). A service has no password: refused before any work.
 */
async function hashIfAllowed(
  ctx: AdminContext,
  id: string,
  patch: PrincipalPatch,
): Promise<string | undefined> {
  if (patch.password === undefined) return undefined;
  const subject = await ctx.accounts.get(id);
  if (subject?.kind === 'service') {
    throw new AppError('invalid_field', 'a service has no password; it uses API tokens', {
      path: 'password',
    });
  }
  return ctx.hashPassword(patch.password);
}
