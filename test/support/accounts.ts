import type { AccountRecord } from '../../src/access/accounts/accounts.js';
import type { Grant } from '../../src/access/principal.js';
import { NO_SIGN_INS } from '../../src/access/sign-in/sign-in-throttle.js';

/** A person's account as stored, named by its id, enabled, no password; `overrides` win. */
export function accountRecord(
  id: string,
  grants: Grant[],
  overrides: Partial<AccountRecord> = {},
): AccountRecord {
  return {
    id,
    kind: 'person',
    name: id,
    displayName: null,
    email: null,
    grants,
    passwordHash: null,
    oidc: null,
    disabled: false,
    createdAtMs: 0,
    createdBy: 'test',
    signIn: { ...NO_SIGN_INS },
    ...overrides,
  };
}
