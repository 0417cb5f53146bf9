import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { CredentialTables, SessionsTable } from './credentials-tables.js';

export interface SessionRow {
  /** SHA-256 (hex) of the cookie. */
  id: string;
  principalId: string;
  method: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  expiresAtMs: number;
  ip: string | null;
  userAgent: string | null;
  version: number;
}

const db = (q: QueryRunner) => tables<CredentialTables>(q);

export async function insertSession(q: QueryRunner, s: SessionRow): Promise<void> {
  await q.run(db(q).insertInto('sessions').values(sessionColumns(s)));
}

export async function sessionById(q: QueryRunner, id: string): Promise<SessionRow | undefined> {
  const row = await q.first(db(q).selectFrom('sessions').selectAll().where('id', '=', id));
  return row && toSession(row);
}

/** One principal's sessions, oldest first (index sessions_principal). */
export async function sessionsOfPrincipal(
  q: QueryRunner,
  principalId: string,
): Promise<SessionRow[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('sessions')
      .selectAll()
      .where('principal_id', '=', principalId)
      .orderBy('created_at_ms')
      .orderBy('id'),
  );
  return rows.map(toSession);
}

/** Moves last-seen (and so the idle expiry) forward; 0 when another request did it first. */
export function touchSession(
  q: QueryRunner,
  s: Pick<SessionRow, 'id' | 'version'>,
  lastSeenAtMs: number,
  expiresAtMs: number,
): Promise<number> {
  return q.run(
    db(q)
      .updateTable('sessions')
      .set({ last_seen_at_ms: lastSeenAtMs, expires_at_ms: expiresAtMs, version: s.version + 1 })
      .where('id', '=', s.id)
      .where('version', '=', s.version),
  );
}

/** Ends one session; 0 when it was already gone. */
export function deleteSession(q: QueryRunner, id: string): Promise<number> {
  return q.run(db(q).deleteFrom('sessions').where('id', '=', id));
}

/** Ends every session of a principal but `keepId`; how many ended. */
export function deleteSessionsOfPrincipal(
  q: QueryRunner,
  principalId: string,
  keepId?: string,
): Promise<number> {
  let query = db(q).deleteFrom('sessions').where('principal_id', '=', principalId);
  if (keepId !== undefined) query = query.where('id', '!=', keepId);
  return q.run(query);
}

/**
 * Deletes sessions past their expiry: the index on expires_at_ms finds the candidates; the
 * idle and absolute limits in force now decide (they may differ from the ones a row was
 * written with, after a restart with other flags).
 */
export function deleteExpiredSessions(
  q: QueryRunner,
  nowMs: number,
  limits: { idleMs: number; absoluteMs: number },
): Promise<number> {
  return q.run(
    db(q)
      .deleteFrom('sessions')
      .where('expires_at_ms', '<=', nowMs)
      .where((eb) =>
        eb.or([
          eb('last_seen_at_ms', '<=', nowMs - limits.idleMs),
          eb('created_at_ms', '<=', nowMs - limits.absoluteMs),
        ]),
      ),
  );
}

export function sessionColumns(s: SessionRow): SessionsTable {
  return {
    id: s.id,
    principal_id: s.principalId,
    method: s.method,
    created_at_ms: s.createdAtMs,
    last_seen_at_ms: s.lastSeenAtMs,
    expires_at_ms: s.expiresAtMs,
    ip: s.ip,
    user_agent: s.userAgent,
    version: s.version,
  };
}

function toSession(row: SessionsTable): SessionRow {
  return {
    id: row.id,
    principalId: row.principal_id,
    method: row.method,
    createdAtMs: int(row.created_at_ms),
    lastSeenAtMs: int(row.last_seen_at_ms),
    expiresAtMs: int(row.expires_at_ms),
    ip: row.ip,
    userAgent: row.user_agent,
    version: int(row.version),
  };
}
