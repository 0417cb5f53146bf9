import type { SelfAudit } from '../../src/log/self-audit.js';
import type { LegalHold } from '../../src/retention/hold.js';
import { holdDetails } from '../../src/retention/hold-service.js';
import { insertHold } from '../../src/store/tables/retention/legal-holds-table.js';
import { writeRetentionPolicy } from '../../src/store/tables/retention/retention-policies-table.js';

const OPERATOR = { kind: 'operator', id: 'test' } as const;

/**
 * As the API does it: a policy with a 30-day maximum for `source` ('*', the default, unless
 * given) and any holds, their rows and the events verify replays (`retention.policy.set`,
 * `legal_hold.place`), committed in one transaction.
 */
export async function setThirtyDayPolicy(
  audit: Pick<SelfAudit, 'recordWithin'>,
  nowMs: number,
  options: { source?: string; archive?: boolean; holds?: readonly LegalHold[] } = {},
): Promise<void> {
  const source = options.source ?? '*';
  const archive = options.archive ?? false;
  const holds = options.holds ?? [];
  await audit.recordWithin(async (tx) => {
    await writeRetentionPolicy(
      tx,
      {
        source,
        min: null,
        max: { amount: 30, unit: 'days' },
        archive,
        updatedAtMs: nowMs,
        updatedBy: 'test',
      },
      { min: null, max: 'P30D' },
    );
    for (const hold of holds) await insertHold(tx, hold);
    return {
      events: [
        {
          principal: OPERATOR,
          action: 'retention.policy.set',
          details: { policy_source: source, min: null, max: 'P30D', archive },
        },
        ...holds.map((hold) => ({
          principal: OPERATOR,
          action: 'legal_hold.place',
          details: holdDetails(hold),
        })),
      ],
      result: undefined,
    };
  });
}
