import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { ApiTokensTable, CredentialTables } from './credentials-tables.js';

/** One API token as stored; the secret is never stored, only its hash. */
export interface ApiTokenRow {
  id: string;
  principalId: string;
  secretHash: string;
  label: string | null;
  /** Role names narrowing the account's roles (checked by access/credentials); null: all. */
  roles: string[] | null;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number;
  revokedAtMs: number | null;
  revokedBy: string | null;
  lastUsedAtMs: number | null;
  awaitingApproval: boolean;
  version: number;
}

const db = (q: QueryRunner) => tables<CredentialTables>(q);

export async function insertApiToken(q: QueryRunner, token: ApiTokenRow): Promise<void> {
  await q.run(db(q).insertInto('api_tokens').values(apiTokenColumns(token)));
}

export async function apiTokenById(q: QueryRunner, id: string): Promise<ApiTokenRow | undefined> {
  const row = await q.first(db(q).selectFrom('api_tokens').selectAll().where('id', '=', id));
  return row && toApiToken(row);
}

/** One principal's tokens, oldest first (index api_tokens_principal). */
export async function apiTokensOfPrincipal(
  q: QueryRunner,
  principalId: string,
): Promise<ApiTokenRow[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('api_tokens')
      .selectAll()
      .where('principal_id', '=', principalId)
      .orderBy('created_at_ms')
      .orderBy('id'),
  );
  return rows.map(toApiToken);
}

/** Revokes a live token; 0 when there is no such token or it was revoked already. */
export function revokeApiToken(
  q: QueryRunner,
  id: string,
  by: string,
  atMs: number,
): Promise<number> {
  return q.run(
    db(q)
      .updateTable('api_tokens')
      .set((eb) => ({ revoked_at_ms: atMs, revoked_by: by, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at_ms', 'is', null),
  );
}

/** A second admin approved it: it starts working. 0 when there is no such token. */
export function approveApiToken(q: QueryRunner, id: string): Promise<number> {
  return q.run(
    db(q)
      .updateTable('api_tokens')
      .set((eb) => ({ awaiting_approval: 0, version: eb('version', '+', 1) }))
      .where('id', '=', id),
  );
}

/**
 * Notes a use, when the last one noted is older than `staleBeforeMs` (so a busy token costs
 * one small write a minute, not one per request). Not versioned: it is not part of the
 * token's meaning, and racing writers write nearly the same time.
 */
export function touchApiToken(
  q: QueryRunner,
  id: string,
  atMs: number,
  staleBeforeMs: number,
): Promise<number> {
  return q.run(
    db(q)
      .updateTable('api_tokens')
      .set({ last_used_at_ms: atMs })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('last_used_at_ms', 'is', null), eb('last_used_at_ms', '<', staleBeforeMs)]),
      ),
  );
}

export function apiTokenColumns(t: ApiTokenRow): ApiTokensTable {
  return {
    id: t.id,
    principal_id: t.principalId,
    secret_hash: t.secretHash,
    label: t.label,
    roles: t.roles === null ? null : JSON.stringify(t.roles),
    created_at_ms: t.createdAtMs,
    created_by: t.createdBy,
    expires_at_ms: t.expiresAtMs,
    revoked_at_ms: t.revokedAtMs,
    revoked_by: t.revokedBy,
    last_used_at_ms: t.lastUsedAtMs,
    awaiting_approval: t.awaitingApproval ? 1 : 0,
    version: t.version,
  };
}

function toApiToken(row: ApiTokensTable): ApiTokenRow {
  return {
    id: row.id,
    principalId: row.principal_id,
    secretHash: row.secret_hash,
    label: row.label,
    roles: row.roles === null ? null : roleList(row.roles, row.id),
    createdAtMs: int(row.created_at_ms),
    createdBy: row.created_by,
    expiresAtMs: int(row.expires_at_ms),
    revokedAtMs: row.revoked_at_ms === null ? null : int(row.revoked_at_ms),
    revokedBy: row.revoked_by,
    lastUsedAtMs: row.last_used_at_ms === null ? null : int(row.last_used_at_ms),
    awaitingApproval: int(row.awaiting_approval) === 1,
    version: int(row.version),
  };
}

function roleList(text: string, id: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((r) => typeof r === 'string')) {
    throw new Error(`api_tokens ${id}: roles is not a list of role names`);
  }
  return value;
}
