import { AppError } from '../../errors.js';
import {
  accountByOidc,
  activeAdminIds,
  insertAccount,
} from '../../store/tables/accounts/accounts-table.js';
import type { AccountRecord, CredentialKind } from '../accounts/accounts.js';
import { inAdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { grantLabels, principalTarget, recordRoleEvents } from './admin-events.js';
import type { ApprovalRecord } from './approval.js';
import type { NewPrincipal } from './principal-input.js';
import { isReadingRole, readerGrantsNeedApproval } from './reader-grants.js';
import { requestAdminChange } from './request-approval.js';
import { holds, withoutAdmin } from './role-change.js';
import { credentialControlRefusal, inBootstrapWindow } from './separation.js';

export interface CreatedPrincipal {
  account: AccountRecord;
  /** The first four-eyes request this opened (the one for `admin`, when there are two). */
  approval: ApprovalRecord | null;
  /** Every request: for `admin`, and for reading roles that wait for a second admin. */
  approvals: ApprovalRecord[];
}

/**
 * Creates a person or service. Asking for `admin` is an admin grant like any other: the
 * account is made without it and a request waits for a second admin — except in the
 * bootstrap window (separation.ts), where the bootstrap token makes the first admin. Reading
 * roles for a principal its creator can sign in as (a service; a person given a password or
 * OIDC link here) wait the same way (reader-grants.ts). Who set the credentials is recorded.
 * The account, its requests and their events commit together.
 */
export async function createPrincipal(
  ctx: AdminContext,
  actor: AdminActor,
  input: NewPrincipal,
): Promise<CreatedPrincipal> {
  // Hashed before the transaction: scrypt is slow, and the log's writer waits for nobody.
  const passwordHash = input.password === null ? null : await ctx.hashPassword(input.password);
  return inAdminChange(ctx, actor, async (change) => {
    const { tx, nowMs: now } = change;
    const wantsAdmin = holds(input.grants, 'admin');
    const bootstrap =
      wantsAdmin && inBootstrapWindow(actor.principal, await activeAdminIds(tx, { lock: true }));
    const grants = wantsAdmin && !bootstrap ? withoutAdmin(input.grants) : input.grants;
    if (input.oidc && (await accountByOidc(tx, input.oidc.issuer, input.oidc.subject))) {
      throw new AppError(
        'identity_linked',
        'that OpenID Connect identity is linked to another account',
        { path: 'oidc_subject' },
      );
    }
    const account: AccountRecord = {
      id: ctx.newId(now),
      kind: input.kind,
      name: input.name,
      displayName: input.displayName,
      email: input.email,
      grants,
      passwordHash,
      oidc: input.oidc,
      disabled: false,
      createdAtMs: now,
      createdBy: actor.principal.id,
      signIn: { failures: 0, lastFailureMs: null, lockedUntilMs: null, lastSuccessMs: null },
      credentialsSetBy: [
        ...(input.password === null ? [] : [setting(actor, 'password', now)]),
        ...(input.oidc === null ? [] : [setting(actor, 'oidc', now)]),
      ],
    };
    if (wantsAdmin && !bootstrap) {
      // The request could never be approved (its requester set the credentials): refuse it
      // before anything is made, rather than leave an account behind a refused request.
      const refusal = credentialControlRefusal(account, actor.principal.id, 'requester', now);
      if (refusal) {
        change.refuse(refusal, {
          action: 'principal.create',
          target: principalTarget(account),
          details: { kind: account.kind, roles: grantLabels(input.grants) },
        });
      }
    }
    // A reading role for a principal whose credentials its creator holds waits for a second admin.
    const waiting = (await readerGrantsNeedApproval(tx, actor, account, now))
      ? account.grants.filter((g) => isReadingRole(g.role))
      : [];
    if (waiting.length > 0) account.grants = account.grants.filter((g) => !isReadingRole(g.role));
    await insertAccount(tx, account, now);
    change.record({
      action: 'principal.create',
      target: principalTarget(account),
      details: {
        kind: account.kind,
        roles: grantLabels(account.grants),
        password: account.passwordHash !== null,
        oidc_issuer: account.oidc?.issuer ?? null,
      },
    });
    recordRoleEvents(change, account, { granted: withoutAdmin(account.grants) });
    if (bootstrap) {
      recordRoleEvents(change, account, { granted: [{ role: 'admin' }] }, { bootstrap });
    }
    const approvals: ApprovalRecord[] = [];
    if (wantsAdmin && !bootstrap) {
      approvals.push(await requestAdminChange(change, ctx, account, 'admin_grant', null));
    }
    if (waiting.length > 0) {
      approvals.push(
        await requestAdminChange(change, ctx, account, 'reader_grant', null, { grants: waiting }),
      );
    }
    return { account, approval: approvals[0] ?? null, approvals };
  });
}

function setting(actor: AdminActor, credential: CredentialKind, atMs: number) {
  return { by: actor.principal.id, credential, atMs };
}
