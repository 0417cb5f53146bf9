import type { StatementIntent } from '../postgres/statement-result.js';

/**
 * What of a statement's values reaches the log:
 * - `none`: the statement text and its bind parameters as sent;
 * - `literals` (default): every constant in the text replaced by `$n` (PostgreSQL's own
 *   normalisation, as pg_stat_statements shows queries), every bind parameter by a marker
 *   (NULL stays null, so the shape is kept);
 * - `all`: no statement text and no parameter values at all, only the statement's
 *   fingerprint (equal for statements that differ only in their constants), its verb and
 *   tables, the number of parameters, and the SQLSTATE of an error without its message.
 */
export type RedactionPolicy = 'none' | 'literals' | 'all';

export const REDACTION_POLICIES: readonly RedactionPolicy[] = ['none', 'literals', 'all'];
export const REDACTED = '[redacted]';
/** Stands for a statement the parser could not read, whose constants cannot be found. */
export const UNPARSED_REDACTED = '(statement not parsed; redacted)';

export function isRedactionPolicy(value: string): value is RedactionPolicy {
  return (REDACTION_POLICIES as readonly string[]).includes(value);
}

/** The statement's fields of an event's details, under the policy. */
export function redactedStatement(
  st: StatementIntent,
  policy: RedactionPolicy,
): {
  statement?: string;
  fingerprint?: string;
  parameters?: (string | null)[];
  parameterCount?: number;
} {
  const parameters = st.parameters ?? [];
  if (policy === 'none') return { statement: st.sql, parameters };
  if (policy === 'literals')
    return {
      statement: st.normalized ?? UNPARSED_REDACTED,
      parameters: parameters.map((p) => (p === null ? null : REDACTED)),
    };
  return {
    ...(st.fingerprint ? { fingerprint: st.fingerprint } : {}),
    parameterCount: parameters.length,
  };
}
