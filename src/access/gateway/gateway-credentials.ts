import { AppError } from '../../errors.js';
import { newGatewaySecret } from '../../gateway/auth/new-secret.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import {
  allGatewayCredentials,
  type GatewayCredentialRow,
  gatewayCredentialById,
  gatewayCredentialsOf,
  insertGatewayCredential,
  revokeGatewayCredential,
} from '../../store/tables/gateway/gateway-credentials-table.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { AdminActor } from '../admin/admin-context.js';
import { adminEvent } from '../admin/admin-events.js';

/** A gateway credential lives at most 30 days; the caller always says how long (no default). */
export const MAX_GATEWAY_CREDENTIAL_HOURS = 30 * 24;

export interface MintedGatewayCredential {
  record: GatewayCredentialRow;
  /** `evg_…`: the PostgreSQL password, shown once; only its SCRAM verifier is stored. */
  secret: string;
}

export interface GatewayCredentialDeps {
  db: Pick<Store, 'state'>;
  audit: Pick<SelfAudit, 'recordWithin'>;
  clock: Clock;
  ids: IdGenerator;
  random: (n: number) => Buffer;
}

/**
 * People's database-gateway credentials (table gateway_credentials): a person signed in to
 * Evident makes their own, with a lifetime of its own (not their sign-in's or an OpenID
 * token's). One live credential per person: the PostgreSQL user name (the account name)
 * picks the verifier, so a new one revokes the previous, in the same transaction.
 */
export class GatewayCredentials {
  constructor(private readonly deps: GatewayCredentialDeps) {}

  async mint(
    actor: AdminActor,
    request: { lifetimeHours: number; label: string | null },
  ): Promise<MintedGatewayCredential> {
    const p = actor.principal;
    if (p.kind !== 'person' || p.credential.method === 'bootstrap') {
      throw new AppError(
        'gateway_credential_for_person',
        'gateway credentials are for people: sign in as yourself (evident login) and make your own',
      );
    }
    const now = this.deps.clock.now();
    const { secret, verifier } = newGatewaySecret(this.deps.random);
    const record: GatewayCredentialRow = {
      id: `gwc_${this.deps.ids(now)}`,
      principalId: p.id,
      label: request.label,
      verifier,
      createdAtMs: now,
      createdBy: p.id,
      expiresAtMs: now + request.lifetimeHours * 3600_000,
      revokedAtMs: null,
      revokedBy: null,
    };
    await this.deps.audit.recordWithin(async (tx) => {
      const replaced: string[] = [];
      for (const old of await gatewayCredentialsOf(tx, p.id)) {
        if (old.revokedAtMs === null && old.expiresAtMs > now) {
          await revokeGatewayCredential(tx, old.id, p.id, now);
          replaced.push(old.id);
        }
      }
      await insertGatewayCredential(tx, record);
      const event = adminEvent(actor, {
        action: 'gateway_credential.create',
        target: credentialTarget(record),
        details: {
          principal_id: p.id,
          expires_at: new Date(record.expiresAtMs).toISOString(),
          lifetime_hours: request.lifetimeHours,
          replaced,
        },
      });
      return { events: [event], result: undefined };
    });
    return { record, secret };
  }

  own(principalId: string): Promise<GatewayCredentialRow[]> {
    return gatewayCredentialsOf(this.deps.db.state, principalId);
  }

  all(): Promise<GatewayCredentialRow[]> {
    return allGatewayCredentials(this.deps.db.state);
  }

  /**
   * Revokes the caller's own credential, or anyone's for an admin of the gateway; someone
   * else's looks like none otherwise (ids are not an oracle). Twice keeps the first time.
   */
  async revoke(
    actor: AdminActor,
    id: string,
    access: { managesGateway: boolean },
  ): Promise<GatewayCredentialRow> {
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const found = await gatewayCredentialById(tx, id);
      if (!found || (found.principalId !== actor.principal.id && !access.managesGateway))
        throw new AppError('not_found', `no gateway credential ${id}`);
      const now = this.deps.clock.now();
      const revokedNow = (await revokeGatewayCredential(tx, id, actor.principal.id, now)) === 1;
      const record = (await gatewayCredentialById(tx, id))!;
      const event = adminEvent(actor, {
        action: 'gateway_credential.revoke',
        target: credentialTarget(record),
        details: { principal_id: record.principalId },
      });
      return { events: revokedNow ? [event] : [], result: record };
    });
    return result;
  }
}

function credentialTarget(c: GatewayCredentialRow) {
  return { type: 'gateway_credential', id: c.id, ...(c.label ? { name: c.label } : {}) };
}
