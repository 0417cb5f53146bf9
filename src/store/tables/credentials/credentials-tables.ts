/**
 * The credential tables (migration 6): API tokens, sign-in sessions, OpenID sign-ins in
 * progress and CLI hand-off codes. Numbers are milliseconds since the epoch; PostgreSQL
 * returns its BIGINTs as strings, so row mappers read every number with `int()`. The row
 * types are type aliases, not interfaces, so they are plain records to `insertRows`.
 */
export interface CredentialTables {
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  oidc_flows: OidcFlowsTable;
  cli_handoffs: CliHandoffsTable;
}

export type ApiTokensTable = {
  id: string;
  principal_id: string;
  /** SHA-256 of the secret, base64: unique, as two tokens never share a 256-bit secret. */
  secret_hash: string;
  label: string | null;
  /** JSON list of role names narrowing the account's roles; null: all of them. */
  roles: string | null;
  created_at_ms: number;
  created_by: string;
  expires_at_ms: number;
  revoked_at_ms: number | null;
  revoked_by: string | null;
  /** Written at most once a minute per token (see TOKEN_TOUCH_INTERVAL_MS), never per request. */
  last_used_at_ms: number | null;
  /** 1 while a second admin has not approved a service token that reads (reader_token approval). */
  awaiting_approval: number;
  version: number;
};

export type SessionsTable = {
  /** SHA-256 (hex) of the cookie: the cookie itself is never stored. */
  id: string;
  principal_id: string;
  method: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  /** The earlier of the idle and absolute expiry under the timeouts it was last written with. */
  expires_at_ms: number;
  ip: string | null;
  user_agent: string | null;
  version: number;
};

export type OidcFlowsTable = {
  /** The OAuth `state` parameter. */
  id: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  browser_hash: string;
  cli_redirect: string | null;
  cli_challenge: string | null;
  cli_state: string | null;
  created_at_ms: number;
  expires_at_ms: number;
};

export type CliHandoffsTable = {
  /** SHA-256 (hex) of the one-time code. */
  id: string;
  principal_id: string;
  challenge: string;
  expires_at_ms: number;
};
