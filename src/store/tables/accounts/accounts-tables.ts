/**
 * The tables of people, service principals and their four-eyes requests (migration 5).
 * Column name → TypeScript type as the query builder sees it; numbers that PostgreSQL keeps
 * as BIGINT come back as strings there, so the row mappers convert every one with `int()`.
 */

type Int = number | string;

export interface AccountsTable {
  id: string;
  kind: string;
  /** UNIQUE: the sign-in name. */
  name: string;
  display_name: string | null;
  email: string | null;
  password_hash: string | null;
  /** UNIQUE together with oidc_subject where both are set. */
  oidc_issuer: string | null;
  oidc_subject: string | null;
  /** 0 or 1. */
  disabled: Int;
  created_at_ms: Int;
  created_by: string;
  sign_in_failures: Int;
  sign_in_last_failure_ms: Int | null;
  sign_in_locked_until_ms: Int | null;
  sign_in_last_success_ms: Int | null;
  /** JSON: [{ by, credential, atMs }], who set this account's credentials (credential-control.ts). */
  credentials_set_by: string;
  version: Int;
  updated_at_ms: Int;
}

export interface AccountRolesTable {
  account_id: string;
  role: string;
  /** JSON array of source patterns; NULL: every source. */
  sources: string | null;
  /** The grant's place in the account's list, so roles read back in the order they were given. */
  position: Int;
}

export interface ApprovalsTable {
  id: string;
  change: string;
  subject_id: string;
  subject_name: string;
  requested_by_id: string;
  requested_by_name: string;
  requested_at_ms: Int;
  expires_at_ms: Int;
  reason: string | null;
  /** pending, approved, rejected, or expired once a newer request replaced a lapsed one. */
  status: string;
  decided_by_id: string | null;
  decided_by_name: string | null;
  decided_at_ms: Int | null;
  decision_reason: string | null;
  /** JSON: { grants?, tokenId? }, what the change carries (reader grants, the token). */
  payload: string;
  version: Int;
  updated_at_ms: Int;
}

/** The generic document table, for the one four-eyes settings document (a singleton). */
export interface StateDocsTable {
  kind: string;
  id: string;
  value: string;
  version: Int;
  updated_at_ms: Int;
}

export interface AccountTables {
  accounts: AccountsTable;
  account_roles: AccountRolesTable;
  approvals: ApprovalsTable;
  state: StateDocsTable;
}
