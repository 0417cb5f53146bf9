import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { GatewayGrantsTable, GatewayTables } from './gateway-tables.js';

/** Who (a person, or everyone holding an Evident role) may reach a database as an upstream role. */
export interface GatewayGrantRow {
  id: string;
  subjectType: 'person' | 'role';
  subject: string;
  database: string;
  upstreamRole: string;
  createdAtMs: number;
  createdBy: string;
}

const db = (q: QueryRunner) => tables<GatewayTables>(q);

export async function insertGatewayGrant(q: QueryRunner, g: GatewayGrantRow): Promise<void> {
  await q.run(
    db(q).insertInto('gateway_grants').values({
      id: g.id,
      subject_type: g.subjectType,
      subject: g.subject,
      database_name: g.database,
      upstream_role: g.upstreamRole,
      created_at_ms: g.createdAtMs,
      created_by: g.createdBy,
      version: 1,
    }),
  );
}

export async function gatewayGrantById(
  q: QueryRunner,
  id: string,
): Promise<GatewayGrantRow | undefined> {
  const row = await q.first(db(q).selectFrom('gateway_grants').selectAll().where('id', '=', id));
  return row && toRow(row);
}

/** The grant with these four values, if any (they are unique together). */
export async function sameGatewayGrant(
  q: QueryRunner,
  g: Pick<GatewayGrantRow, 'subjectType' | 'subject' | 'database' | 'upstreamRole'>,
): Promise<GatewayGrantRow | undefined> {
  const row = await q.first(
    db(q)
      .selectFrom('gateway_grants')
      .selectAll()
      .where('subject_type', '=', g.subjectType)
      .where('subject', '=', g.subject)
      .where('database_name', '=', g.database)
      .where('upstream_role', '=', g.upstreamRole),
  );
  return row && toRow(row);
}

/** Every grant, oldest first (a policy of a few dozen rows, read whole). */
export async function allGatewayGrants(q: QueryRunner): Promise<GatewayGrantRow[]> {
  const rows = await q.all(
    db(q).selectFrom('gateway_grants').selectAll().orderBy('created_at_ms').orderBy('id'),
  );
  return rows.map(toRow);
}

export function deleteGatewayGrant(q: QueryRunner, id: string): Promise<number> {
  return q.run(db(q).deleteFrom('gateway_grants').where('id', '=', id));
}

function toRow(row: GatewayGrantsTable): GatewayGrantRow {
  if (row.subject_type !== 'person' && row.subject_type !== 'role')
    throw new Error(`gateway_grants ${row.id}: unknown subject_type ${row.subject_type}`);
  return {
    id: row.id,
    subjectType: row.subject_type,
    subject: row.subject,
    database: row.database_name,
    upstreamRole: row.upstream_role,
    createdAtMs: int(row.created_at_ms),
    createdBy: row.created_by,
  };
}
