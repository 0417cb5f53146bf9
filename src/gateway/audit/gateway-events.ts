import type { StatementIntent, StatementResult } from '../postgres/statement-result.js';
import { type RedactionPolicy, redactedStatement } from './redaction.js';

/** Who is connected, to what: the part of every event a session shares. */
export interface SessionContext {
  sessionId: string;
  /** The user name the client connected with. */
  person: string;
  /** The person's account id, when the credential came from the Evident server. */
  personId?: string;
  clientIp: string | undefined;
  database: string;
  upstreamRole: string;
  /** What of each statement's values the events keep. */
  redaction: RedactionPolicy;
}

const MAX_STATEMENT_CHARS = 4096;
const MAX_ERROR_CHARS = 1000;

function actor(s: SessionContext) {
  return {
    id: s.personId ?? s.person,
    ...(s.personId !== undefined && s.personId !== s.person ? { name: s.person } : {}),
    type: 'user',
    session: s.sessionId,
    ...(s.clientIp ? { ip: s.clientIp.replace(/^::ffff:/, '') } : {}),
  };
}

function target(s: SessionContext) {
  return { type: 'database', id: s.database };
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The policy a statement was read under; a reload in between does not change it. */
function policyOf(s: SessionContext, st: StatementIntent): RedactionPolicy {
  return st.redaction ?? s.redaction;
}

function statementDetails(s: SessionContext, st: StatementIntent): Record<string, unknown> {
  const policy = policyOf(s, st);
  const shown = redactedStatement(st, policy);
  const details: Record<string, unknown> = {
    session: s.sessionId,
    protocol: st.protocol,
    upstream_role: s.upstreamRole,
  };
  if (shown.statement !== undefined) {
    details.statement = cap(shown.statement, MAX_STATEMENT_CHARS);
    if (shown.statement.length > MAX_STATEMENT_CHARS)
      details.statement_chars = shown.statement.length;
  }
  if (shown.fingerprint) details.statement_fingerprint = shown.fingerprint;
  if (policy !== 'none') details.redaction = policy;
  if (st.tables.length > 0) details.tables = st.tables;
  if (st.statementName) details.statement_name = st.statementName;
  if (st.guardrailObserved) details.guardrail_observed = st.guardrailObserved;
  if (shown.parameters && shown.parameters.length > 0) details.parameters = shown.parameters;
  if (shown.parameterCount) details.parameter_count = shown.parameterCount;
  return details;
}

/** One statement's event: action db.<verb>, outcome from the server's answer. */
export function statementEvent(
  s: SessionContext,
  r: StatementResult,
  id: string,
): Record<string, unknown> {
  const details = statementDetails(s, r);
  details.duration_ms = Math.round(r.durationMs);
  if (r.rows !== undefined) details.rows = r.rows;
  if (r.sqlstate) details.sqlstate = r.sqlstate;
  if (r.txStatus) details.tx_status_before = r.txStatus;
  if (r.notExecuted) details.not_executed = true;
  if (r.guardrail) details.guardrail = r.guardrail;
  const event: Record<string, unknown> = {
    id,
    time: new Date(r.startedAtMs).toISOString(),
    actor: actor(s),
    action: `db.${r.verb}`,
    target: target(s),
    outcome: r.outcome,
    category: 'data',
    details,
  };
  // The server's message may quote a value; `all` keeps only its SQLSTATE.
  if (r.error && policyOf(s, r) !== 'all') event.reason = cap(r.error, MAX_ERROR_CHARS);
  else if (r.notExecuted) event.reason = 'not run: an earlier statement of the same request failed';
  return event;
}

/** fail_closed: the statement is durable in the log before it reaches the database. */
export function intentEvent(
  s: SessionContext,
  st: StatementIntent,
  id: string,
  nowMs: number,
): Record<string, unknown> {
  return {
    id,
    time: new Date(nowMs).toISOString(),
    actor: actor(s),
    action: `db.${st.verb}`,
    target: target(s),
    outcome: 'unknown',
    category: 'data',
    details: { ...statementDetails(s, st), phase: 'intent' },
  };
}

export function sessionEvent(
  s: SessionContext,
  kind: 'connect' | 'disconnect',
  outcome: 'success' | 'failure' | 'denied',
  id: string,
  nowMs: number,
  extra: { reason?: string; details?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    id,
    time: new Date(nowMs).toISOString(),
    actor: actor(s),
    action: `db.${kind}`,
    target: target(s),
    outcome,
    category: 'authentication',
    ...(extra.reason ? { reason: cap(extra.reason, MAX_ERROR_CHARS) } : {}),
    details: { session: s.sessionId, upstream_role: s.upstreamRole, ...extra.details },
  };
}
