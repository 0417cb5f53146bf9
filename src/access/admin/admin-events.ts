import type { SelfAuditEvent } from '../../log/self-audit.js';
import type { AccountRecord } from '../accounts.js';
import type { Grant } from '../principal.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import type { ApprovalRecord } from './approval.js';

type Details = NonNullable<SelfAuditEvent['details']>;

/**
 * The log's own record of principal administration (the log audits itself): every change is an event
 * of source `evident`, category `iam`, naming who did it and from where, appended before
 * the answer is sent. Monitoring rules (the ISO pack) match these action names.
 */
export function recordAdmin(
  ctx: AdminContext,
  actor: AdminActor,
  event: Omit<SelfAuditEvent, 'principal' | 'ip' | 'category'>,
): Promise<number> {
  return ctx.audit.record(adminEvent(actor, event));
}

/** The event recordAdmin appends, for changes that commit with it (`audit.recordWithin`). */
export function adminEvent(
  actor: AdminActor,
  event: Omit<SelfAuditEvent, 'principal' | 'ip' | 'category'>,
): SelfAuditEvent {
  return {
    principal: actor.principal,
    ...(actor.ip === undefined ? {} : { ip: actor.ip }),
    category: 'iam',
    ...event,
  };
}

export function principalTarget(account: Pick<AccountRecord, 'id' | 'name'>) {
  return { type: 'principal', id: account.id, name: account.name };
}

export function approvalTarget(approval: ApprovalRecord) {
  return { type: 'approval', id: approval.id, name: `${approval.change} ${approval.subject.name}` };
}

/** `sources: ["*"]` for a grant over every source, as search events describe scopes. */
export function grantDetails(grant: Grant): Details {
  return { role: grant.role, sources: grant.sources ?? ['*'] };
}

/** Grants as short labels for one detail field: `reviewer(billing-*,hr-api)`. */
export function grantLabels(grants: readonly Grant[]): string[] {
  return grants.map((g) => (g.sources ? `${g.role}(${g.sources.join(',')})` : g.role));
}

/** One `principal.role_grant` / `principal.role_revoke` event per role that changed. */
export async function recordRoleEvents(
  ctx: AdminContext,
  actor: AdminActor,
  subject: Pick<AccountRecord, 'id' | 'name'>,
  change: {
    granted?: readonly Grant[];
    revoked?: readonly Grant[];
    rescoped?: readonly { grant: Grant; previous: string[] | undefined }[];
  },
  extra: Details = {},
): Promise<void> {
  const target = principalTarget(subject);
  for (const g of change.granted ?? []) {
    await recordAdmin(ctx, actor, {
      action: 'principal.role_grant',
      target,
      details: { ...grantDetails(g), ...extra },
    });
  }
  for (const { grant, previous } of change.rescoped ?? []) {
    await recordAdmin(ctx, actor, {
      action: 'principal.role_grant',
      target,
      details: { ...grantDetails(grant), previous_sources: previous ?? ['*'], ...extra },
    });
  }
  for (const g of change.revoked ?? []) {
    await recordAdmin(ctx, actor, {
      action: 'principal.role_revoke',
      target,
      details: { ...grantDetails(g), ...extra },
    });
  }
}

/** A refused separation-of-duties step is evidence too: record it as denied, then throw. */
export async function refuse(
  ctx: AdminContext,
  actor: AdminActor,
  refusal: Error,
  event: Omit<SelfAuditEvent, 'principal' | 'ip' | 'category' | 'outcome' | 'reason'>,
): Promise<never> {
  await recordAdmin(ctx, actor, { ...event, outcome: 'denied', reason: refusal.message });
  throw refusal;
}
