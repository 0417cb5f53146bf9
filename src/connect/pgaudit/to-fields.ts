import type { MappedFields } from '../log-line.js';
import type { PgAuditEntry } from './parse-audit.js';

/** Who and where, from the log line around the pgAudit entry (prefix or csvlog columns). */
export interface PgContext {
  user?: string;
  database?: string;
  clientIp?: string;
  host?: string;
  /**
   * The session's application_name (csvlog column): the gateway sets `evident/<session>`, so
   * a statement of its upstream role without it came from somewhere else (bypass detection).
   */
  application?: string;
}

const MAX_STATEMENT = 4096;

/**
 * A pgAudit entry as record fields: `db.<command>` (lower case, spaces as "_"), the role as
 * actor, the object (or the database) as target, the statement as reason. The outcome is
 * "unknown": pgAudit logs a statement when it runs, not whether it succeeded.
 */
export function pgAuditFields(entry: PgAuditEntry, ctx: PgContext): MappedFields {
  const verb =
    entry.command
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'statement';
  const target = entry.objectName
    ? {
        type: (entry.objectType ?? 'object').toLowerCase().replace(/\s+/g, '_'),
        id: entry.objectName,
      }
    : ctx.database
      ? { type: 'database', id: ctx.database }
      : undefined;
  const statement = entry.statement;
  return {
    action: `db.${verb}`,
    outcome: 'unknown',
    actor: {
      id: ctx.user ?? '(unknown)',
      type: 'db_role',
      ...(ctx.clientIp ? { ip: ctx.clientIp } : {}),
    },
    ...(target ? { target } : {}),
    category: entry.class === 'ROLE' ? 'iam' : entry.class === 'DDL' ? 'config' : 'data',
    ...(statement
      ? {
          reason:
            statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT)}…` : statement,
        }
      : {}),
    details: {
      pgaudit: entry.auditType,
      statement_id: entry.statementId,
      substatement_id: entry.substatementId,
      class: entry.class,
      command: entry.command,
      ...(ctx.database ? { database: ctx.database } : {}),
      ...(entry.parameter ? { parameter: entry.parameter.slice(0, MAX_STATEMENT) } : {}),
      ...(ctx.host ? { host: ctx.host } : {}),
      ...(ctx.application ? { application: ctx.application } : {}),
    },
  };
}
