import type { Store } from '../../store/store.js';
import { unexpiredGatewayCredentials } from '../../store/tables/gateway/gateway-credentials-table.js';
import {
  allGatewayGrants,
  type GatewayGrantRow,
} from '../../store/tables/gateway/gateway-grants-table.js';
import type { Clock } from '../../util/clock.js';
import type { AccountDirectory, AccountRecord } from '../accounts/accounts.js';

/** What a running gateway needs of one person: their verifier, its state, where they may go. */
export interface SyncedCredential {
  id: string;
  personId: string;
  /** The account name: the PostgreSQL user name the person connects with. */
  person: string;
  verifier: string;
  expiresAtMs: number;
  revoked: boolean;
  access: { database: string; upstreamRole: string }[];
}

/**
 * The snapshot a gateway polls (`GET /api/v1/gateway/sync`): every unexpired credential of
 * an enabled person (revoked ones too, so a gateway tells "revoked" from "replaced"), each
 * with the databases and upstream roles the policy lets that person reach now.
 */
export class GatewaySync {
  constructor(
    private readonly deps: { db: Pick<Store, 'state'>; clock: Clock; accounts: AccountDirectory },
  ) {}

  async snapshot(): Promise<SyncedCredential[]> {
    const now = this.deps.clock.now();
    const [credentials, grants] = await Promise.all([
      unexpiredGatewayCredentials(this.deps.db.state, now),
      allGatewayGrants(this.deps.db.state),
    ]);
    const accounts = new Map<string, AccountRecord | undefined>();
    const out: SyncedCredential[] = [];
    for (const c of credentials) {
      if (!accounts.has(c.principalId))
        accounts.set(c.principalId, await this.deps.accounts.get(c.principalId));
      const account = accounts.get(c.principalId);
      if (account?.kind !== 'person' || account.disabled) continue;
      out.push({
        id: c.id,
        personId: account.id,
        person: account.name,
        verifier: c.verifier,
        expiresAtMs: c.expiresAtMs,
        revoked: c.revokedAtMs !== null,
        access: accessOf(account, grants),
      });
    }
    return out;
  }
}

function accessOf(account: AccountRecord, grants: readonly GatewayGrantRow[]) {
  const roles = new Set<string>(account.grants.map((g) => g.role));
  const seen = new Set<string>();
  const out: { database: string; upstreamRole: string }[] = [];
  for (const g of grants) {
    const applies = g.subjectType === 'person' ? g.subject === account.id : roles.has(g.subject);
    const key = `${g.database}\u0000${g.upstreamRole}`;
    if (!applies || seen.has(key)) continue;
    seen.add(key);
    out.push({ database: g.database, upstreamRole: g.upstreamRole });
  }
  return out;
}
