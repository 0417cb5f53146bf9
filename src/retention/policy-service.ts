import { inAdminChange } from '../access/admin/admin-change.js';
import type { AdminActor, AdminContext } from '../access/admin/admin-context.js';
import type { ApprovalRecord } from '../access/admin/approval.js';
import { AppError } from '../errors.js';
import { retentionPolicies } from '../store/tables/retention/retention-policies-table.js';
import { periodStart } from './period.js';
import {
  DEFAULT_POLICY_SOURCE,
  NEVER_PURGED_SOURCE,
  type PolicyFields,
  policyFromFields,
  type RetentionPolicy,
  type StoredPolicy,
  shortenings,
} from './policy.js';
import { applyPolicy, currentPolicyOf, requestShortening } from './policy-change.js';

export type PolicySetResult =
  | { applied: PolicyFields }
  | { approval: ApprovalRecord; shortens: string[] };

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Retention policies (GET/PUT /api/v1/retention, `evident retention`): reading them, and
 * setting one as an event. Lengthening applies at once; shortening a minimum or a maximum
 * waits for a second admin (a `retention_shorten` approval).
 */
export class RetentionPolicyService {
  constructor(private readonly admin: AdminContext) {}

  list(): Promise<StoredPolicy[]> {
    return retentionPolicies(this.admin.store.state);
  }

  async set(
    actor: AdminActor,
    fields: PolicyFields,
    reason: string | null,
  ): Promise<PolicySetResult> {
    const policy = validPolicy(fields, this.admin.clock.now());
    return inAdminChange(this.admin, actor, async (change) => {
      const what = shortenings(policy, await currentPolicyOf(change, policy.source));
      if (what.length === 0) return { applied: await applyPolicy(change, policy, reason) };
      const approval = await requestShortening(change, this.admin, policy, what, reason);
      return { approval, shortens: what };
    });
  }
}

/** The policy the fields describe, or a 400 that says what to fix. */
export function validPolicy(fields: PolicyFields, nowMs: number): RetentionPolicy {
  if (fields.source !== DEFAULT_POLICY_SOURCE && !SOURCE_NAME.test(fields.source)) {
    throw new AppError(
      'invalid_field',
      `source must be a source name or ${DEFAULT_POLICY_SOURCE}`,
      {
        path: '$.source',
      },
    );
  }
  if (fields.source === NEVER_PURGED_SOURCE) {
    throw new AppError(
      'invalid_field',
      `the log's own events (source ${NEVER_PURGED_SOURCE}) explain every removal and are kept for the log's life; set a policy for another source or ${DEFAULT_POLICY_SOURCE}`,
      { path: '$.source' },
    );
  }
  const policy = policyFromFields(fields);
  if (typeof policy === 'string') {
    throw new AppError('invalid_field', `${policy} (whole days or months, e.g. P90D, P12M)`, {
      path: policy.startsWith('min') ? '$.min' : '$.max',
    });
  }
  if (
    policy.min !== null &&
    policy.max !== null &&
    periodStart(nowMs, policy.max) > periodStart(nowMs, policy.min)
  ) {
    throw new AppError(
      'invalid_field',
      `max ${fields.max} is shorter than min ${fields.min}; the maximum must be at least the minimum`,
      { path: '$.max' },
    );
  }
  return policy;
}
