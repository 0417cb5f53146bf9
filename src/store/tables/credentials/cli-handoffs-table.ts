import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { CliHandoffsTable, CredentialTables } from './credentials-tables.js';

/** A one-time code from an OpenID sign-in to `evident login --oidc`, under the code's hash. */
export interface CliHandoffRow {
  id: string;
  principalId: string;
  challenge: string;
  expiresAtMs: number;
}

const db = (q: QueryRunner) => tables<CredentialTables>(q);

export async function insertCliHandoff(q: QueryRunner, h: CliHandoffRow): Promise<void> {
  await q.run(db(q).insertInto('cli_handoffs').values(cliHandoffColumns(h)));
}

export async function cliHandoffById(
  q: QueryRunner,
  id: string,
): Promise<CliHandoffRow | undefined> {
  const row = await q.first(db(q).selectFrom('cli_handoffs').selectAll().where('id', '=', id));
  return row && toCliHandoff(row);
}

/** Takes a code for use: 1 for the one caller that deleted it, 0 for everyone else. */
export function deleteCliHandoff(q: QueryRunner, id: string): Promise<number> {
  return q.run(db(q).deleteFrom('cli_handoffs').where('id', '=', id));
}

/** One statement over the expiry index. */
export function deleteExpiredCliHandoffs(q: QueryRunner, nowMs: number): Promise<number> {
  return q.run(db(q).deleteFrom('cli_handoffs').where('expires_at_ms', '<=', nowMs));
}

export function cliHandoffColumns(h: CliHandoffRow): CliHandoffsTable {
  return {
    id: h.id,
    principal_id: h.principalId,
    challenge: h.challenge,
    expires_at_ms: h.expiresAtMs,
  };
}

function toCliHandoff(row: CliHandoffsTable): CliHandoffRow {
  return {
    id: row.id,
    principalId: row.principal_id,
    challenge: row.challenge,
    expiresAtMs: int(row.expires_at_ms),
  };
}
