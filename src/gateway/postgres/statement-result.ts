import type { RedactionPolicy } from '../audit/redaction.js';

/** One statement as the gateway saw it run: what becomes one event in the log. */
export interface StatementResult {
  sql: string;
  verb: string;
  tables: string[];
  protocol: 'simple' | 'extended' | 'function_call';
  /** Prepared statement name (extended protocol), when named. */
  statementName?: string;
  /** Bind parameters as the client sent them: text, `\x…` hex for binary, null for NULL. */
  parameters?: (string | null)[];
  /** The text with its constants replaced by `$n` (redaction policy `literals`). */
  normalized?: string;
  /** Equal for statements that differ only in their constants (redaction policy `all`). */
  fingerprint?: string;
  guardrailObserved?: string;
  redaction?: RedactionPolicy;
  startedAtMs: number;
  durationMs: number;
  /** denied: a guardrail refused it; the server never ran it. */
  outcome: 'success' | 'failure' | 'denied' | 'unknown';
  /** The guardrail that refused it (outcome denied). */
  guardrail?: string;
  rows?: number;
  sqlstate?: string;
  error?: string;
  /** The server's transaction status after the statement, when known: I, T or E. */
  txStatus?: 'I' | 'T' | 'E';
  /** The server skipped it: an earlier message of the same pipeline failed. */
  notExecuted?: boolean;
}

/** A statement about to be sent upstream (fail_closed records these before forwarding). */
export interface StatementIntent {
  sql: string;
  verb: string;
  tables: string[];
  protocol: StatementResult['protocol'];
  statementName?: string;
  parameters?: (string | null)[];
  normalized?: string;
  fingerprint?: string;
  /** An `observe`-mode guardrail that matched: the statement ran, its event says so. */
  guardrailObserved?: string;
  /** The redaction policy it was classified for (else the session's current one). */
  redaction?: RedactionPolicy;
}
