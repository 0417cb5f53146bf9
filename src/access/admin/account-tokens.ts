import { AppError } from '../../errors.js';
import { activeAdminIds, changeAccount } from '../../store/tables/accounts/accounts-table.js';
import {
  type ApiTokenRecord,
  type CreatedToken,
  MAX_TOKEN_TTL_MS,
} from '../credentials/api-tokens.js';
import { ROLES, type Role } from '../principal.js';
import { inAdminChange } from './admin-change.js';
import { type AdminActor, type AdminContext, isBootstrap } from './admin-context.js';
import { adminEvent, refuse } from './admin-events.js';
import type { ApprovalRecord } from './approval.js';
import { withCredentialSet } from './credential-control.js';
import { optionalText } from './principal-input.js';
import { isReadingRole, readerGrantsNeedApproval } from './reader-grants.js';
import { pendingApproval, requestAdminChange } from './request-approval.js';
import { credentialForAdminRefusal } from './separation.js';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = MAX_TOKEN_TTL_MS / DAY_MS;
export const MAX_TOKEN_HOURS = MAX_TOKEN_TTL_MS / HOUR_MS;
export const TOKEN_REQUEST_FIELDS = [
  'label',
  'roles',
  'expires_in_days',
  'expires_in_hours',
] as const;

export interface TokenRequest {
  label: string | null;
  /** Undefined: every role the holder may give (see below). */
  roles: Role[] | undefined;
  /** From creation to expiry. */
  ttlMs: number;
}

export function parseTokenRequest(body: Record<string, unknown>): TokenRequest {
  const { roles, expires_in_days: days, expires_in_hours: hours } = body;
  if (days !== undefined && hours !== undefined) {
    throw new AppError(
      'conflicting_fields',
      'give "expires_in_days" or "expires_in_hours", not both',
      {
        path: 'expires_in_hours',
      },
    );
  }
  // Hours: a short-lived token for a sign-in from the CLI (`evident login`).
  if (
    hours !== undefined &&
    (!Number.isSafeInteger(hours) || (hours as number) < 1 || (hours as number) > MAX_TOKEN_HOURS)
  ) {
    throw new AppError(
      'invalid_field',
      `"expires_in_hours" must be a whole number of hours from 1 to ${MAX_TOKEN_HOURS}`,
      { path: 'expires_in_hours' },
    );
  }
  if (
    days !== undefined &&
    (!Number.isSafeInteger(days) || (days as number) < 1 || (days as number) > MAX_TOKEN_DAYS)
  ) {
    throw new AppError(
      'invalid_field',
      `"expires_in_days" must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`,
      { path: 'expires_in_days' },
    );
  }
  return {
    label: optionalText(body, 'label', 256),
    roles: roles === undefined ? undefined : parseRoleNames(roles),
    ttlMs:
      hours !== undefined
        ? (hours as number) * HOUR_MS
        : ((days as number | undefined) ?? DEFAULT_TOKEN_DAYS) * DAY_MS,
  };
}

function parseRoleNames(value: unknown): Role[] {
  if (!Array.isArray(value)) {
    throw new AppError('invalid_field', '"roles" must be a list of role names', { path: 'roles' });
  }
  const seen = new Set<string>();
  return value.map((r, i) => {
    if (typeof r !== 'string' || !(ROLES as readonly string[]).includes(r) || seen.has(r)) {
      throw new AppError(
        'invalid_field',
        `roles[${i}] must be one of ${ROLES.join(', ')}, each at most once (a token takes its sources from the account)`,
        { path: `roles[${i}]` },
      );
    }
    seen.add(r);
    return r as Role;
  });
}

/**
 * A token for the caller. It carries at most what the calling credential holds (a token
 * narrowed to `auditor` cannot make one with `admin`), and the roles are fixed when it is
 * made: roles granted later do not flow into old tokens.
 */
export async function createOwnToken(
  ctx: AdminContext,
  actor: AdminActor,
  request: TokenRequest,
): Promise<CreatedToken> {
  if (isBootstrap(actor.principal)) {
    throw new AppError(
      'bootstrap_makes_no_tokens',
      'the bootstrap token is not an account and makes no tokens; create a principal and give it one',
    );
  }
  const held = actor.principal.grants.map((g) => g.role);
  const roles = request.roles ?? held;
  roles.forEach((role, i) => {
    if (!held.includes(role)) {
      throw new AppError(
        'role_not_held',
        `you do not hold "${role}" with this credential; a token carries at most what its maker holds`,
        { path: `roles[${i}]` },
      );
    }
  });
  return issue(ctx, actor, actor.principal.id, roles, request);
}

/**
 * A token an admin makes for a service principal. People make their own: a token made for a
 * person would let the admin act as them. One that carries a reading role works only after a
 * second admin approves it (reader-grants.ts); `approval` is that request.
 */
export async function createServiceToken(
  ctx: AdminContext,
  actor: AdminActor,
  subjectId: string,
  request: TokenRequest,
): Promise<CreatedToken & { approval: ApprovalRecord | null }> {
  if (subjectId === actor.principal.id) {
    return { ...(await createOwnToken(ctx, actor, request)), approval: null };
  }
  const subject = await ctx.accounts.get(subjectId);
  if (!subject) throw new AppError('not_found', `no principal ${subjectId}`);
  if (subject.kind !== 'service') {
    throw new AppError(
      'token_for_person',
      'tokens for people are made by the people themselves (POST /api/v1/tokens); one made for them would let you act as them',
    );
  }
  if (subject.disabled) {
    throw new AppError('account_disabled', `"${subject.name}" is disabled; enable it first`);
  }
  const held = subject.grants.map((g) => g.role);
  const roles = request.roles ?? held;
  roles.forEach((role, i) => {
    if (!held.includes(role)) {
      throw new AppError('invalid_field', `"${subject.name}" does not hold "${role}"`, {
        path: `roles[${i}]`,
      });
    }
  });
  const now = ctx.clock.now();
  const committed = ctx.store.state;
  const pendingAdmin =
    (await pendingApproval(committed, subject.id, 'admin_grant', now)) !== undefined;
  if (roles.includes('admin') || pendingAdmin) {
    const refusal = credentialForAdminRefusal(
      actor.principal,
      subject,
      await activeAdminIds(committed),
      pendingAdmin ? 'a token made' : 'a token carrying admin made',
      pendingAdmin,
    );
    if (refusal) {
      await refuse(ctx, actor, refusal, {
        action: 'token.create',
        target: { type: 'principal', id: subject.id, name: subject.name },
        details: { roles },
      });
    }
  }
  // A token that reads events, made by an admin, is a reader that admin holds: it works only
  // once a second admin approves (reader-grants.ts).
  const guarded =
    roles.some(isReadingRole) && (await readerGrantsNeedApproval(committed, actor, subject, now));
  if (guarded && (await pendingApproval(committed, subject.id, 'reader_token', now))) {
    throw new AppError(
      'approval_pending',
      `a token for "${subject.name}" already waits for approval; approve or reject it first`,
    );
  }
  // The token, the credential record, its event and any approval request commit together. One
  // that must wait is made awaiting approval, so it authenticates nobody until approved.
  return inAdminChange(ctx, actor, async (change) => {
    // Whoever holds this token can act as the service: recorded, so it cannot later become an
    // admin on this admin's word (credential-control.ts).
    await changeAccount(
      change.tx,
      subject.id,
      (latest) => withCredentialSet(latest, actor.principal.id, 'token', change.nowMs),
      change.nowMs,
    );
    const created = await ctx.tokens.createWithin(
      change.tx,
      newToken(actor, subject.id, roles, request, change.nowMs, guarded),
    );
    change.record(tokenCreated(created.record));
    const approval = guarded
      ? await requestAdminChange(change, ctx, subject, 'reader_token', null, {
          tokenId: created.record.id,
        })
      : null;
    return { ...created, approval };
  });
}

async function issue(
  ctx: AdminContext,
  actor: AdminActor,
  accountId: string,
  roles: Role[],
  request: TokenRequest,
): Promise<CreatedToken> {
  // The token and its token.create event commit together, or neither does.
  const { result } = await ctx.audit.recordWithin(async (tx) => {
    const created = await ctx.tokens.createWithin(
      tx,
      newToken(actor, accountId, roles, request, ctx.clock.now(), false),
    );
    return { events: [adminEvent(actor, tokenCreated(created.record))], result: created };
  });
  return result;
}

function newToken(
  actor: AdminActor,
  accountId: string,
  roles: Role[],
  request: TokenRequest,
  nowMs: number,
  awaitingApproval: boolean,
) {
  return {
    awaitingApproval,
    accountId,
    label: request.label,
    roles,
    expiresAtMs: nowMs + request.ttlMs,
    createdBy: actor.principal.id,
    nowMs,
  };
}

function tokenCreated(token: ApiTokenRecord) {
  return {
    action: 'token.create',
    target: tokenTarget(token),
    details: {
      principal_id: token.accountId,
      roles: token.roles ?? [],
      expires_at: new Date(token.expiresAtMs).toISOString(),
    },
  };
}

/** The tokens of a principal, oldest first; 404 when there is no such principal. */
export async function tokensOfPrincipal(
  ctx: AdminContext,
  principalId: string,
): Promise<ApiTokenRecord[]> {
  if (!(await ctx.accounts.get(principalId))) {
    throw new AppError('not_found', `no principal ${principalId}`);
  }
  return ctx.tokens.forAccount(principalId);
}

/**
 * Revokes the caller's own token, or anyone's when the caller manages tokens. Someone
 * else's token looks like no token otherwise: ids are not an oracle.
 */
export async function revokeTokenOf(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  access: { managesTokens: boolean },
): Promise<ApiTokenRecord> {
  const token = await ctx.tokens.get(id);
  if (!token || (token.accountId !== actor.principal.id && !access.managesTokens)) {
    throw new AppError('not_found', `no token ${id}`);
  }
  return revokeToken(ctx, actor, token.id);
}

/** Revokes a token; the caller has checked it is the actor's own or the actor manages tokens. */
export async function revokeToken(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
): Promise<ApiTokenRecord> {
  // Revoking twice keeps the first time and records nothing the second time.
  const { result } = await ctx.audit.recordWithin(async (tx) => {
    const { token, revokedNow } = await ctx.tokens.revokeWithin(
      tx,
      id,
      actor.principal.id,
      ctx.clock.now(),
    );
    const event = adminEvent(actor, {
      action: 'token.revoke',
      target: tokenTarget(token),
      details: { principal_id: token.accountId },
    });
    return { events: revokedNow ? [event] : [], result: token };
  });
  ctx.forgetCached();
  return result;
}

function tokenTarget(token: ApiTokenRecord) {
  return {
    type: 'api_token',
    id: token.id,
    ...(token.label === null ? {} : { name: token.label }),
  };
}
