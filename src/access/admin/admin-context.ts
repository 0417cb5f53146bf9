import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../../util/ids.js';
import type { AccountDirectory } from '../accounts/accounts.js';
import { hashPassword } from '../accounts/passwords.js';
import type { ApiTokens } from '../credentials/api-tokens.js';
import { type AccountPrincipal, BOOTSTRAP_ID, type Principal } from '../principal.js';

/**
 * What principal administration reads and writes; one per server (server/context.ts builds
 * it). Changes run in the log's append transaction (`audit.recordWithin`, admin-change.ts).
 */
export interface AdminContext {
  store: Store;
  /** Committed accounts, for reads outside a change. */
  accounts: AccountDirectory;
  tokens: ApiTokens;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  newId: IdGenerator;
  hashPassword: (password: string) => Promise<string>;
  /** Drops this process's cached credential checks, so a narrowing applies at once. */
  forgetCached: () => void;
}

export function adminContext(deps: {
  store: Store;
  accounts: AccountDirectory;
  tokens: ApiTokens;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  newId?: IdGenerator;
  hashPassword?: (password: string) => Promise<string>;
  forgetCached?: () => void;
}): AdminContext {
  return {
    store: deps.store,
    accounts: deps.accounts,
    tokens: deps.tokens,
    audit: deps.audit,
    clock: deps.clock,
    newId: deps.newId ?? ulidGenerator(),
    hashPassword: deps.hashPassword ?? ((p) => hashPassword(p)),
    forgetCached: deps.forgetCached ?? (() => {}),
  };
}

/** Who asks for a change, and from where (both go into the change's event). */
export interface AdminActor {
  principal: AccountPrincipal;
  ip?: string;
}

export function adminActor(principal: Principal, ip?: string): AdminActor {
  // authorize() already refused ingest keys every administrative action; this narrows the type.
  if (principal.kind === 'ingest') {
    throw new AppError('ingest_key_append_only', 'an ingest key can only append events');
  }
  return ip === undefined ? { principal } : { principal, ip };
}

/** The shared bootstrap token: a credential, not a person, so it never counts as a second admin. */
export function isBootstrap(principal: AccountPrincipal): boolean {
  return principal.id === BOOTSTRAP_ID && principal.credential.method === 'bootstrap';
}
