import type { ScramVerifier } from './scram.js';

/** A person's gateway credential: a SCRAM verifier with a lifetime, revocable. */
export interface GatewayCredential {
  id: string;
  /** The Evident identity the gateway records as actor.id; also the PostgreSQL user name. */
  person: string;
  verifier: ScramVerifier;
  expiresAtMs: number;
  revoked: boolean;
}

/**
 * Where the gateway finds credentials. This slice reads a local file the operator manages
 * (`evident gateway credentials create`); a later store asks the Evident server for the
 * verifier of a person's API-minted credential, behind this same interface, so the session
 * code does not change.
 */
export interface CredentialStore {
  /** The person's current credential, if any (expired or revoked ones included: the caller decides). */
  find(person: string): GatewayCredential | undefined;
}

export function isUsable(c: GatewayCredential, nowMs: number): boolean {
  return !c.revoked && nowMs < c.expiresAtMs;
}
