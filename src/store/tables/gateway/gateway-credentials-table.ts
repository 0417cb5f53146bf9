import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { GatewayCredentialsTable, GatewayTables } from './gateway-tables.js';

/** One gateway credential as stored: a SCRAM verifier with a lifetime, revocable. */
export interface GatewayCredentialRow {
  id: string;
  principalId: string;
  label: string | null;
  verifier: string;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number;
  revokedAtMs: number | null;
  revokedBy: string | null;
}

const db = (q: QueryRunner) => tables<GatewayTables>(q);

export async function insertGatewayCredential(
  q: QueryRunner,
  c: GatewayCredentialRow,
): Promise<void> {
  await q.run(
    db(q)
      .insertInto('gateway_credentials')
      .values({ ...columns(c), version: 1 }),
  );
}

export async function gatewayCredentialById(
  q: QueryRunner,
  id: string,
): Promise<GatewayCredentialRow | undefined> {
  const row = await q.first(
    db(q).selectFrom('gateway_credentials').selectAll().where('id', '=', id),
  );
  return row && toRow(row);
}

/** One person's credentials, oldest first (index gateway_credentials_principal). */
export async function gatewayCredentialsOf(
  q: QueryRunner,
  principalId: string,
): Promise<GatewayCredentialRow[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('gateway_credentials')
      .selectAll()
      .where('principal_id', '=', principalId)
      .orderBy('created_at_ms')
      .orderBy('id'),
  );
  return rows.map(toRow);
}

/** Everyone's credentials not yet expired at `nowMs` (revoked ones included), oldest first. */
export async function unexpiredGatewayCredentials(
  q: QueryRunner,
  nowMs: number,
): Promise<GatewayCredentialRow[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('gateway_credentials')
      .selectAll()
      .where('expires_at_ms', '>', nowMs)
      .orderBy('created_at_ms')
      .orderBy('id'),
  );
  return rows.map(toRow);
}

/** Every credential, oldest first (admins list them all). */
export async function allGatewayCredentials(q: QueryRunner): Promise<GatewayCredentialRow[]> {
  const rows = await q.all(
    db(q).selectFrom('gateway_credentials').selectAll().orderBy('created_at_ms').orderBy('id'),
  );
  return rows.map(toRow);
}

/** Revokes a live credential; 0 when there is none or it was revoked already. */
export function revokeGatewayCredential(
  q: QueryRunner,
  id: string,
  by: string,
  atMs: number,
): Promise<number> {
  return q.run(
    db(q)
      .updateTable('gateway_credentials')
      .set((eb) => ({ revoked_at_ms: atMs, revoked_by: by, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at_ms', 'is', null),
  );
}

function columns(c: GatewayCredentialRow): Omit<GatewayCredentialsTable, 'version'> {
  return {
    id: c.id,
    principal_id: c.principalId,
    label: c.label,
    verifier: c.verifier,
    created_at_ms: c.createdAtMs,
    created_by: c.createdBy,
    expires_at_ms: c.expiresAtMs,
    revoked_at_ms: c.revokedAtMs,
    revoked_by: c.revokedBy,
  };
}

function toRow(row: GatewayCredentialsTable): GatewayCredentialRow {
  return {
    id: row.id,
    principalId: row.principal_id,
    label: row.label,
    verifier: row.verifier,
    createdAtMs: int(row.created_at_ms),
    createdBy: row.created_by,
    expiresAtMs: int(row.expires_at_ms),
    revokedAtMs: row.revoked_at_ms === null ? null : int(row.revoked_at_ms),
    revokedBy: row.revoked_by,
  };
}
