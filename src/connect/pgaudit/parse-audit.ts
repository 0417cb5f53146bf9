import { readCsvRecord } from './csv.js';

/** One pgAudit entry (https://github.com/pgaudit/pgaudit, "Format"). */
export interface PgAuditEntry {
  auditType: 'SESSION' | 'OBJECT';
  statementId: number;
  substatementId: number;
  /** READ, WRITE, FUNCTION, ROLE, DDL, MISC, MISC_SET. */
  class: string;
  /** SELECT, INSERT, CREATE TABLE, … */
  command: string;
  objectType?: string;
  objectName?: string;
  /** The statement text, or undefined when pgaudit.log_statement is off (`<not logged>`). */
  statement?: string;
  /** Bound parameters as pgAudit printed them, undefined for `<not logged>` / `<none>`. */
  parameter?: string;
}

const PREFIX = 'AUDIT: ';

/**
 * Finds and parses the pgAudit part of a PostgreSQL log message ("AUDIT: SESSION,1,1,READ,
 * SELECT,TABLE,public.t,\"select …\",<not logged>"); the message may carry a log_line_prefix
 * and the "LOG:  " level before it. Undefined when the message is not a pgAudit entry.
 */
export function parsePgAudit(message: string): PgAuditEntry | undefined {
  const at = message.indexOf(PREFIX);
  if (at < 0) return undefined;
  const record = readCsvRecord(message, at + PREFIX.length);
  if (!record || record.fields.length < 8) return undefined;
  const [
    type,
    statementId,
    substatementId,
    cls,
    command,
    objectType,
    objectName,
    statement,
    parameter,
  ] = record.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (type !== 'SESSION' && type !== 'OBJECT') return undefined;
  if (!/^\d{1,15}$/.test(statementId) || !/^\d{1,15}$/.test(substatementId)) return undefined;
  return {
    auditType: type,
    statementId: Number(statementId),
    substatementId: Number(substatementId),
    class: cls,
    command,
    ...(objectType ? { objectType } : {}),
    ...(objectName ? { objectName } : {}),
    ...(statement && statement !== '<not logged>' ? { statement } : {}),
    ...(parameter && parameter !== '<not logged>' && parameter !== '<none>' ? { parameter } : {}),
  };
}
