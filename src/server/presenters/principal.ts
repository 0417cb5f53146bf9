import type { AccountRecord } from '../../access/accounts/accounts.js';
import type { Grant } from '../../access/principal.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Roles as the API shows them: `sources: null` means every source. */
export function grantsJson(grants: readonly Grant[]) {
  return grants.map((g) => ({ role: g.role, sources: g.sources ?? null }));
}

/**
 * A person or service as the API shows it (an allow-list: the password hash and sign-in
 * counters never leave the server; `sign_in` only says which methods are set up).
 */
export function principalJson(account: AccountRecord) {
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    display_name: account.displayName,
    email: account.email,
    roles: grantsJson(account.grants),
    disabled: account.disabled,
    sign_in: {
      password: account.passwordHash !== null,
      oidc: account.oidc ? { issuer: account.oidc.issuer, subject: account.oidc.subject } : null,
      last_success_at: iso(account.signIn.lastSuccessMs),
      locked_until: iso(account.signIn.lockedUntilMs),
    },
    created_at: iso(account.createdAtMs),
    created_by: account.createdBy,
  };
}
