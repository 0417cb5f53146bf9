import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import {
  allGatewayGrants,
  deleteGatewayGrant,
  type GatewayGrantRow,
  gatewayGrantById,
  insertGatewayGrant,
  sameGatewayGrant,
} from '../../store/tables/gateway/gateway-grants-table.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { AccountDirectory } from '../accounts/accounts.js';
import type { AdminActor } from '../admin/admin-context.js';
import { adminEvent } from '../admin/admin-events.js';
import { ROLES } from '../principal.js';

export interface GatewayGrantInput {
  subjectType: 'person' | 'role';
  subject: string;
  database: string;
  upstreamRole: string;
}

export interface GatewayGrantDeps {
  db: Pick<Store, 'state'>;
  audit: Pick<SelfAudit, 'recordWithin'>;
  clock: Clock;
  ids: IdGenerator;
  accounts: AccountDirectory;
}

/**
 * The gateway's policy (table gateway_grants): a person, or everyone holding an Evident
 * role, may reach a database as an upstream role. Admins change it; each change commits with
 * its event. No second admin approves a grant: the database's own GRANTs to the upstream
 * role bound what it reaches (docs/gateway.md says why and what is left).
 */
export class GatewayGrants {
  constructor(private readonly deps: GatewayGrantDeps) {}

  list(): Promise<GatewayGrantRow[]> {
    return allGatewayGrants(this.deps.db.state);
  }

  async create(actor: AdminActor, input: GatewayGrantInput): Promise<GatewayGrantRow> {
    if (input.subjectType === 'role' && !(ROLES as readonly string[]).includes(input.subject))
      throw new AppError('invalid_field', `"role" must be one of ${ROLES.join(', ')}`, {
        path: 'role',
      });
    if (input.subjectType === 'person') {
      // By account id or sign-in name; stored by id, which a rename does not change.
      const account =
        (await this.deps.accounts.get(input.subject)) ??
        (await this.deps.accounts.findByName(input.subject));
      if (account?.kind !== 'person')
        throw new AppError('invalid_field', `"person" names no person (${input.subject})`, {
          path: 'person',
        });
      input = { ...input, subject: account.id };
    }
    const now = this.deps.clock.now();
    const grant: GatewayGrantRow = {
      ...input,
      id: `gwg_${this.deps.ids(now)}`,
      createdAtMs: now,
      createdBy: actor.principal.id,
    };
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const same = await sameGatewayGrant(tx, input);
      if (same)
        throw new AppError(
          'gateway_grant_exists',
          `grant ${same.id} says this already; nothing to add`,
        );
      await insertGatewayGrant(tx, grant);
      return {
        events: [adminEvent(actor, grantEvent('gateway_grant.create', grant))],
        result: grant,
      };
    });
    return result;
  }

  async remove(actor: AdminActor, id: string): Promise<GatewayGrantRow> {
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const grant = await gatewayGrantById(tx, id);
      if (!grant) throw new AppError('not_found', `no gateway grant ${id}`);
      await deleteGatewayGrant(tx, id);
      return {
        events: [adminEvent(actor, grantEvent('gateway_grant.delete', grant))],
        result: grant,
      };
    });
    return result;
  }
}

function grantEvent(action: string, g: GatewayGrantRow) {
  return {
    action,
    category: 'iam' as const,
    target: { type: 'gateway_grant', id: g.id },
    details: {
      [g.subjectType]: g.subject,
      database: g.database,
      upstream_role: g.upstreamRole,
    },
  };
}
