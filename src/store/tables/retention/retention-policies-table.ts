import { policyFromFields, type StoredPolicy } from '../../../retention/policy.js';
import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { RetentionTables } from './retention-tables.js';

function toPolicy(row: Row): StoredPolicy {
  const policy = policyFromFields({
    source: String(row.source),
    min: row.min_period === null ? null : String(row.min_period),
    max: row.max_period === null ? null : String(row.max_period),
    archive: int(row.archive) === 1,
  });
  if (typeof policy === 'string') {
    throw new Error(`the retention policy of ${String(row.source)} is unreadable: ${policy}`);
  }
  return {
    ...policy,
    updatedAtMs: int(row.updated_at_ms),
    updatedBy: String(row.updated_by),
    version: int(row.version),
  };
}

/** Every policy, in source order (`*`, the default, sorts first). */
export async function retentionPolicies(q: QueryRunner): Promise<StoredPolicy[]> {
  const db = tables<RetentionTables>(q);
  const rows = await q.all<Row>(db.selectFrom('retention_policies').selectAll().orderBy('source'));
  return rows.map(toPolicy);
}

/** Creates or replaces the policy of `policy.source` (inside the change's transaction). */
export async function writeRetentionPolicy(
  tx: QueryRunner,
  policy: Omit<StoredPolicy, 'version'>,
  periods: { min: string | null; max: string | null },
): Promise<void> {
  const db = tables<RetentionTables>(tx);
  const values = {
    min_period: periods.min,
    max_period: periods.max,
    archive: policy.archive ? 1 : 0,
    updated_at_ms: policy.updatedAtMs,
    updated_by: policy.updatedBy,
  };
  await tx.run(
    db
      .insertInto('retention_policies')
      .values({ source: policy.source, ...values, version: 1 })
      .onConflict((oc) =>
        oc.column('source').doUpdateSet((eb) => ({
          ...values,
          version: eb('retention_policies.version', '+', 1),
        })),
      ),
  );
}
