import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { principalTarget, recordAdmin, refuse } from './admin-events.js';
import { withCredentialSet } from './credential-control.js';
import type { PrincipalPatch } from './principal-input.js';
import { pendingApproval } from './request-approval.js';
import { credentialForAdminRefusal, lastAdminRefusal, selfDisableRefusal } from './separation.js';

/**
 * Changes a principal's profile, enables or disables it, or resets its password. Disabling
 * runs under the admin lock (it can take the last admin away); a reset clears the sign-in
 * lock-out so the person can use the new password.
 */
export async function updatePrincipal(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  patch: PrincipalPatch,
): Promise<AccountRecord> {
  const current = await ctx.accounts.get(id);
  if (!current) throw new AppError('not_found', `no principal ${id}`);
  const target = principalTarget(current);
  const disabling = patch.disabled === true && !current.disabled;
  const enabling = patch.disabled === false && current.disabled;
  if (disabling) {
    const refusal = selfDisableRefusal(actor.principal, id);
    if (refusal) await refuse(ctx, actor, refusal, { action: 'principal.disable', target });
  }
  if (patch.password !== undefined) {
    if (current.kind === 'service') {
      throw new AppError('invalid_field', 'a service has no password; it uses API tokens', {
        path: 'password',
      });
    }
    const refusal = credentialForAdminRefusal(
      actor.principal,
      current,
      await ctx.accounts.list(),
      'a password set',
      (await pendingApproval(ctx, id, 'admin_grant')) !== undefined,
    );
    if (refusal) {
      await refuse(ctx, actor, refusal, {
        action: 'principal.update',
        target,
        details: { fields: ['password'] },
      });
    }
  }
  const passwordHash =
    patch.password === undefined ? undefined : await ctx.hashPassword(patch.password);
  const fields = [
    ...(patch.displayName !== undefined && patch.displayName !== current.displayName
      ? ['display_name']
      : []),
    ...(patch.email !== undefined && patch.email !== current.email ? ['email'] : []),
    ...(passwordHash !== undefined ? ['password'] : []),
  ];

  const now = ctx.clock.now();
  const change = (latest: AccountRecord): AccountRecord => ({
    ...(passwordHash === undefined
      ? latest
      : withCredentialSet(latest, actor.principal.id, 'password', now)),
    ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    ...(passwordHash !== undefined
      ? { passwordHash, signIn: { ...latest.signIn, failures: 0, lockedUntilMs: null } }
      : {}),
  });
  const updated = disabling
    ? await ctx.lock.run(async () => {
        const accounts = await ctx.accounts.list();
        const refusal = lastAdminRefusal(accounts.find((a) => a.id === id) ?? current, accounts);
        if (refusal) await refuse(ctx, actor, refusal, { action: 'principal.disable', target });
        return ctx.accounts.update(id, change, now);
      })
    : await ctx.accounts.update(id, change, now);

  if (fields.length > 0) {
    await recordAdmin(ctx, actor, { action: 'principal.update', target, details: { fields } });
  }
  if (disabling) {
    ctx.forgetCached();
    await recordAdmin(ctx, actor, { action: 'principal.disable', target });
  }
  if (enabling) await recordAdmin(ctx, actor, { action: 'principal.enable', target });
  return updated;
}
