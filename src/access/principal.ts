/**
 * Who is calling. Routes only ever see this; `authorize` (authorize.ts) is the one place
 * that turns it into a decision.
 */

/** The roles of a person or service principal (docs/security.md has the matrix). */
/** `gateway`: a database gateway's service principal; it reads credentials and policy, no events. */
export const ROLES = ['admin', 'auditor', 'reviewer', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One role held by a principal. `sources` narrows a reading role to some sources: exact
 * names or prefixes ending in `*` (`billing-*`); absent means every source.
 */
export interface Grant {
  role: Role;
  sources?: string[];
}

/** How the caller proved who they are (recorded with every self-audit event). */
export type Credential =
  | { method: 'bootstrap' }
  | { method: 'token'; tokenId: string }
  | { method: 'session'; sessionId: string; csrfToken: string };

/** A person (local password or OIDC) or a service (API tokens only). */
export interface AccountPrincipal {
  kind: 'person' | 'service';
  id: string;
  name: string;
  /** What this request may use: the account's grants, narrowed by the token's roles. */
  grants: Grant[];
  credential: Credential;
}

export interface IngestPrincipal {
  kind: 'ingest';
  /** The ingest key id. */
  id: string;
  source: string;
}

export type Principal = AccountPrincipal | IngestPrincipal;

/** The id of the service principal behind the bootstrap admin token. */
export const BOOTSTRAP_ID = 'bootstrap';

/** Every action a route or command can ask permission for. */
export const ACTIONS = [
  // events and the log
  'events.append',
  'events.read',
  'events.export',
  'log.read',
  'log.entries',
  'proofs.read',
  // administration
  'principals.read',
  'principals.manage',
  'tokens.manage',
  'approvals.decide',
  'ingest_keys.manage',
  'settings.manage',
  'log_key.rotate',
  // monitoring and review
  'sources.read',
  'sources.manage',
  'rules.read',
  'rules.manage',
  'alerts.read',
  'alerts.handle',
  'reviews.read',
  'reviews.sign_off',
  'reviews.manage',
  // reports and evidence packs
  'reports.read',
  'packs.create',
  // retention policies and legal holds
  'retention.read',
  'retention.manage',
  // one's own account: whoami, own tokens, sign-out
  'self',
  // the database gateway: its policy and everyone's credentials; what a gateway fetches
  'gateway.manage',
  'gateway.sync',
] as const;
export type Action = (typeof ACTIONS)[number];
