import type { AdminChange } from '../access/admin/admin-change.js';
import type { AdminContext } from '../access/admin/admin-context.js';
import type { ApprovalRecord } from '../access/admin/approval.js';
import { openApproval } from '../access/admin/request-approval.js';
import {
  retentionPolicies,
  writeRetentionPolicy,
} from '../store/tables/retention/retention-policies-table.js';
import { type PolicyFields, policyFields, policyFor, type RetentionPolicy } from './policy.js';

/** The action of the event that sets a policy; verify replays these to judge each purge. */
export const POLICY_SET_ACTION = 'retention.policy.set';

/** Approvals are about a subject: a policy's subject is its source. */
export function policySubject(source: string) {
  return { id: `retention:${source}`, name: `retention policy ${source}` };
}

export function policyTarget(source: string) {
  return { type: 'retention_policy', id: source, name: `retention policy ${source}` };
}

/**
 * Writes `policy` and records the event that says so, in the change's transaction. The event
 * carries the whole policy as it applies from now on (verify replays it, never the table).
 */
export async function applyPolicy(
  change: AdminChange,
  policy: RetentionPolicy,
  reason: string | null,
  approval?: ApprovalRecord,
): Promise<PolicyFields> {
  const fields = policyFields(policy);
  const previous = (await retentionPolicies(change.tx)).find((p) => p.source === policy.source);
  await writeRetentionPolicy(
    change.tx,
    {
      ...policy,
      updatedAtMs: change.nowMs,
      // A shortening is the requester's change; the approver only let it through.
      updatedBy: approval ? approval.requestedBy.name : change.actor.principal.name,
    },
    fields,
  );
  const before = previous ? policyFields(previous) : undefined;
  change.record({
    action: POLICY_SET_ACTION,
    category: 'config',
    target: policyTarget(policy.source),
    ...(reason === null ? {} : { reason }),
    details: {
      policy_source: fields.source,
      min: fields.min,
      max: fields.max,
      archive: fields.archive,
      previous_min: before?.min ?? null,
      previous_max: before?.max ?? null,
      ...(approval ? { approval_id: approval.id, requested_by: approval.requestedBy.id } : {}),
    },
  });
  return fields;
}

/** The policy that governed `source` before this change (its own or the default). */
export async function currentPolicyOf(
  change: AdminChange,
  source: string,
): Promise<RetentionPolicy | undefined> {
  return policyFor(await retentionPolicies(change.tx), source);
}

/**
 * Opens a four-eyes request to shorten a policy, as part of `change`: nothing changes until a
 * different admin approves (decide-approval.ts applies it then, with its event).
 */
export async function requestShortening(
  change: AdminChange,
  ctx: Pick<AdminContext, 'newId'>,
  policy: RetentionPolicy,
  what: readonly string[],
  reason: string | null,
): Promise<ApprovalRecord> {
  const fields = policyFields(policy);
  return openApproval(change, ctx, {
    kind: 'retention_shorten',
    subject: policySubject(policy.source),
    reason,
    pendingProblem: 'already asks to shorten this policy',
    payload: { retentionPolicy: fields },
    details: {
      shortens: [...what],
      min: fields.min,
      max: fields.max,
      archive: fields.archive,
    },
  });
}
