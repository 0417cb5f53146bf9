import type { SelfAuditEvent } from '../../log/self-audit.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { Grant } from '../principal.js';
import type { AdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import type { ApprovalRecord } from './approval.js';

type Details = NonNullable<SelfAuditEvent['details']>;

/** An administrative event as a change names it; who and from where are added (adminEvent). */
export type AdminEvent = Omit<SelfAuditEvent, 'principal' | 'ip'>;

/**
 * The log's own record of principal administration (the log audits itself): every change is an
 * event of source `evident`, category `iam` unless said otherwise, naming who did it and from
 * where. Monitoring rules (the ISO pack) match these action names.
 */
export function adminEvent(actor: AdminActor, event: AdminEvent): SelfAuditEvent {
  return {
    principal: actor.principal,
    ...(actor.ip === undefined ? {} : { ip: actor.ip }),
    category: 'iam',
    ...event,
  };
}

/** An event with no state change of this module beside it (token creation and revocation). */
export function recordAdmin(
  ctx: Pick<AdminContext, 'audit'>,
  actor: AdminActor,
  event: AdminEvent,
): Promise<number> {
  return ctx.audit.record(adminEvent(actor, event));
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
export function recordRoleEvents(
  change: AdminChange,
  subject: Pick<AccountRecord, 'id' | 'name'>,
  diff: {
    granted?: readonly Grant[];
    revoked?: readonly Grant[];
    rescoped?: readonly { grant: Grant; previous: string[] | undefined }[];
  },
  extra: Details = {},
): void {
  const target = principalTarget(subject);
  for (const g of diff.granted ?? []) {
    change.record({
      action: 'principal.role_grant',
      target,
      details: { ...grantDetails(g), ...extra },
    });
  }
  for (const { grant, previous } of diff.rescoped ?? []) {
    change.record({
      action: 'principal.role_grant',
      target,
      details: { ...grantDetails(grant), previous_sources: previous ?? ['*'], ...extra },
    });
  }
  for (const g of diff.revoked ?? []) {
    change.record({
      action: 'principal.role_revoke',
      target,
      details: { ...grantDetails(g), ...extra },
    });
  }
}

/** A refused step outside any change (token creation): recorded as denied, then thrown. */
export async function refuse(
  ctx: Pick<AdminContext, 'audit'>,
  actor: AdminActor,
  refusal: Error,
  event: Omit<AdminEvent, 'outcome' | 'reason'>,
): Promise<never> {
  await recordAdmin(ctx, actor, { ...event, outcome: 'denied', reason: refusal.message });
  throw refusal;
}
