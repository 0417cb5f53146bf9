import type { LineMapper, LogLine, MappedFields } from '../log-line.js';
import { parsePgAudit } from '../pgaudit/parse-audit.js';
import { type PgContext, pgAuditFields } from '../pgaudit/to-fields.js';

const AUTHORIZED =
  /connection authorized: user=(\S+?)(?: database=(\S+?))?(?: application_name=(\S+?))?(?: |$)/;
const PASSWORD_FAILED =
  /(password|md5|scram-sha-256|peer|ident|cert) authentication failed for user "([^"]*)"/;
const NO_HBA =
  /no pg_hba\.conf entry for (?:replication connection from )?host "([^"]*)", user "([^"]*)"(?:, database "([^"]*)")?/;
const PGAUDIT_ENTRY = /(?:^|\s)AUDIT: (?:SESSION|OBJECT),\d/;
const NO_ROLE = /FATAL: {1,2}role "([^"]*)" does not exist/;

/** PostgreSQL (log_destination=syslog or stderr lines): connections, failed logins, pgAudit. */
export const postgresMapper: LineMapper = (line) => {
  // pgAudit entries are recognised from any app: a shipper tailing PostgreSQL's stderr log
  // often sends the line without a program name.
  if (!isPostgres(line) && !PGAUDIT_ENTRY.test(line.message)) return undefined;
  return postgresFields(line.message, prefixContext(line.message, line.hostname));
};

/** Shared with the csvlog mapping, which knows user and database from its columns. */
export function postgresFields(message: string, ctx: PgContext): MappedFields | undefined {
  const audit = parsePgAudit(message);
  if (audit) return pgAuditFields(audit, ctx);
  const host: Record<string, string> = ctx.host ? { host: ctx.host } : {};
  const ip = ctx.clientIp ? { ip: ctx.clientIp } : {};
  const ok = AUTHORIZED.exec(message);
  if (ok) {
    return {
      action: 'db.connect',
      outcome: 'success',
      actor: { id: ok[1]!, type: 'db_role', ...ip },
      ...dbTarget(ok[2] ?? ctx.database),
      category: 'authentication',
      details: { ...host, ...(ok[3] ? { application: ok[3] } : {}) },
    };
  }
  const bad = PASSWORD_FAILED.exec(message);
  if (bad) {
    return {
      action: 'db.connect',
      outcome: 'failure',
      actor: { id: bad[2] || '(empty)', type: 'db_role', ...ip },
      ...dbTarget(ctx.database),
      category: 'authentication',
      severity: 'low',
      reason: `${bad[1]} authentication failed`,
      details: { ...host },
    };
  }
  const hba = NO_HBA.exec(message);
  if (hba) {
    const from = hba[1]!;
    return {
      action: 'db.connect',
      outcome: 'denied',
      actor: { id: hba[2] || '(empty)', type: 'db_role', ...(isIp(from) ? { ip: from } : {}) },
      ...dbTarget(hba[3] ?? ctx.database),
      category: 'authentication',
      severity: 'low',
      reason: 'no pg_hba.conf entry',
      details: { ...host, client: from },
    };
  }
  const noRole = NO_ROLE.exec(message);
  if (noRole) {
    return {
      action: 'db.connect',
      outcome: 'failure',
      actor: { id: noRole[1] || '(empty)', type: 'db_role', ...ip },
      ...dbTarget(ctx.database),
      category: 'authentication',
      severity: 'low',
      reason: 'role does not exist',
      details: { ...host },
    };
  }
  return undefined;
}

function isPostgres(line: LogLine): boolean {
  const app = line.appName?.toLowerCase();
  return app === 'postgres' || app === 'postgresql' || (app?.startsWith('postgres') ?? false);
}

/**
 * User, database and client from a log_line_prefix: "user=%u,db=%d,client=%h" style, or
 * "%u@%d" (the Debian default), whichever the line shows.
 */
export function prefixContext(message: string, host: string | undefined): PgContext {
  const ctx: PgContext = host ? { host } : {};
  const user = /(?:^|[\s,[])user=([^\s,]+)/.exec(message);
  const db = /(?:^|[\s,])(?:db|database)=([^\s,]+)/.exec(message);
  const client = /(?:^|[\s,])(?:client|host|remote)=([^\s,(]+)/.exec(message);
  if (user) ctx.user = user[1]!;
  if (db) ctx.database = db[1]!;
  if (client && isIp(client[1]!)) ctx.clientIp = client[1]!;
  if (!user) {
    const at =
      /(?:^|\s)([A-Za-z_][\w$-]*)@([A-Za-z_][\w$-]*) (?:LOG|FATAL|ERROR|WARNING|STATEMENT|DETAIL):/.exec(
        message,
      );
    if (at) {
      ctx.user = at[1]!;
      ctx.database = at[2]!;
    }
  }
  return ctx;
}

function dbTarget(database: string | undefined): { target?: { type: string; id: string } } {
  return database ? { target: { type: 'database', id: database } } : {};
}

function isIp(text: string): boolean {
  return (
    /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text))
  );
}
