import type { ScramVerifier } from './scram.js';

/** A person's gateway credential: a SCRAM verifier with a lifetime, revocable. */
export interface GatewayCredential {
  id: string;
  /** The Evident identity the gateway records as actor.id; also the PostgreSQL user name. */
  person: string;
  verifier: ScramVerifier;
  expiresAtMs: number;
  revoked: boolean;
  /**
   * The person's account id when it differs from the user name (credentials from the Evident
   * server: the user name is the account name, events name the account id as the actor).
   */
  personId?: string;
  /**
   * Where the policy in Evident lets the person go; undefined: no policy (the local file,
   * where holding a credential is the permission).
   */
  access?: readonly { database: string; upstreamRole: string }[];
}

/**
 * Where the gateway finds credentials: a local file the operator manages
 * (`evident gateway credentials create --file`), or the Evident server, where people mint
 * their own and admins keep the policy (server-credential-store.ts).
 */
export interface CredentialStore {
  /** The person's current credential, if any (expired or revoked ones included: the caller decides). */
  find(person: string): GatewayCredential | undefined;
}

/** Whether the policy lets the credential's person reach `database` as `upstreamRole`. */
export function mayReach(c: GatewayCredential, database: string, upstreamRole: string): boolean {
  return (
    c.access === undefined ||
    c.access.some((a) => a.database === database && a.upstreamRole === upstreamRole)
  );
}

export function isUsable(c: GatewayCredential, nowMs: number): boolean {
  return !c.revoked && nowMs < c.expiresAtMs;
}
