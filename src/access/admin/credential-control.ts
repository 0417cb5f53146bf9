import type { AccountRecord, CredentialKind } from '../accounts/accounts.js';
import { BOOTSTRAP_ID } from '../principal.js';

/**
 * How long an admin who set another account's credentials (a password, an OpenID Connect
 * link, an API token) is assumed able to act as that account. Within it, the account counts
 * as controlled by that admin: it cannot become a second admin on that admin's request or
 * approval, and reading roles given to it need a second admin (docs/security.md).
 */
export const CREDENTIAL_CONTROL_DAYS = 30;
export const CREDENTIAL_CONTROL_MS = CREDENTIAL_CONTROL_DAYS * 24 * 3600 * 1000;

/**
 * The account with `by` recorded as having set its `credential` at `nowMs`. Setting one's own
 * credentials is not recorded: it gives nobody else a way in. Entries past the window go.
 */
export function withCredentialSet(
  account: AccountRecord,
  by: string,
  credential: CredentialKind,
  nowMs: number,
): AccountRecord {
  const kept = recentSettings(account, nowMs);
  if (by === account.id) return { ...account, credentialsSetBy: kept };
  return { ...account, credentialsSetBy: [...kept, { by, credential, atMs: nowMs }] };
}

/**
 * Whether `principalId` set `account`'s credentials within the window. The bootstrap token is
 * shared, so credentials it set count as set by every admin: any of them may hold it.
 */
export function setCredentialsOf(
  account: AccountRecord,
  principalId: string,
  nowMs: number,
): boolean {
  return recentSettings(account, nowMs).some((s) => s.by === principalId || s.by === BOOTSTRAP_ID);
}

/**
 * Whether someone other than the account may be able to sign in as it: every service (its
 * tokens are made by admins) and every account whose credentials another set within the window.
 */
export function credentialsControlledByAdmin(account: AccountRecord, nowMs: number): boolean {
  return account.kind === 'service' || recentSettings(account, nowMs).length > 0;
}

function recentSettings(account: AccountRecord, nowMs: number) {
  return (account.credentialsSetBy ?? []).filter((s) => nowMs - s.atMs < CREDENTIAL_CONTROL_MS);
}
