import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { CredentialTables, OidcFlowsTable } from './credentials-tables.js';

/** One OpenID sign-in in progress, under its `state` parameter. */
export interface OidcFlowRow {
  id: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  browserHash: string;
  /** Set when `evident login --oidc` started it. */
  cli: { redirect: string; challenge: string; state: string } | null;
  createdAtMs: number;
  expiresAtMs: number;
}

const db = (q: QueryRunner) => tables<CredentialTables>(q);

export async function insertOidcFlow(q: QueryRunner, flow: OidcFlowRow): Promise<void> {
  await q.run(db(q).insertInto('oidc_flows').values(oidcFlowColumns(flow)));
}

export async function oidcFlowById(q: QueryRunner, id: string): Promise<OidcFlowRow | undefined> {
  const row = await q.first(db(q).selectFrom('oidc_flows').selectAll().where('id', '=', id));
  return row && toOidcFlow(row);
}

/** Takes a flow for use: 1 for the one caller that deleted it, 0 for everyone else. */
export function deleteOidcFlow(q: QueryRunner, id: string): Promise<number> {
  return q.run(db(q).deleteFrom('oidc_flows').where('id', '=', id));
}

/** One statement over the expiry index. */
export function deleteExpiredOidcFlows(q: QueryRunner, nowMs: number): Promise<number> {
  return q.run(db(q).deleteFrom('oidc_flows').where('expires_at_ms', '<=', nowMs));
}

export function oidcFlowColumns(f: OidcFlowRow): OidcFlowsTable {
  return {
    id: f.id,
    nonce: f.nonce,
    code_verifier: f.codeVerifier,
    return_to: f.returnTo,
    browser_hash: f.browserHash,
    cli_redirect: f.cli?.redirect ?? null,
    cli_challenge: f.cli?.challenge ?? null,
    cli_state: f.cli?.state ?? null,
    created_at_ms: f.createdAtMs,
    expires_at_ms: f.expiresAtMs,
  };
}

function toOidcFlow(row: OidcFlowsTable): OidcFlowRow {
  const { cli_redirect: redirect, cli_challenge: challenge, cli_state: state } = row;
  return {
    id: row.id,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    browserHash: row.browser_hash,
    cli:
      redirect !== null && challenge !== null && state !== null
        ? { redirect, challenge, state }
        : null,
    createdAtMs: int(row.created_at_ms),
    expiresAtMs: int(row.expires_at_ms),
  };
}
