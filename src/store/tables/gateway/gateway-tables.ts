/**
 * The gateway tables (migration 12): people's gateway credentials (SCRAM verifiers only) and
 * the policy of who may reach which database as which upstream role. Numbers are
 * milliseconds since the epoch (read with `int()`: PostgreSQL returns BIGINT as strings).
 */
export interface GatewayTables {
  gateway_credentials: GatewayCredentialsTable;
  gateway_grants: GatewayGrantsTable;
}

export type GatewayCredentialsTable = {
  id: string;
  /** The account (a person) the credential signs in as. */
  principal_id: string;
  label: string | null;
  /** PostgreSQL's pg_authid form `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`; never the secret. */
  verifier: string;
  created_at_ms: number;
  created_by: string;
  expires_at_ms: number;
  revoked_at_ms: number | null;
  revoked_by: string | null;
  version: number;
};

export type GatewayGrantsTable = {
  id: string;
  /** 'person': `subject` is an account id; 'role': an Evident role name. */
  subject_type: string;
  subject: string;
  database_name: string;
  upstream_role: string;
  created_at_ms: number;
  created_by: string;
  version: number;
};
