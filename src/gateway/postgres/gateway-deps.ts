import type { SecureContext } from 'node:tls';
import type { Clock } from '../../util/clock.js';
import type { AuditQueue } from '../audit/audit-queue.js';
import type { RedactionPolicy } from '../audit/redaction.js';
import type { CredentialStore } from '../auth/credential-store.js';
import type { GuardrailRule } from '../guardrails/guardrail-rules.js';
import type { CancelRegistry } from './cancel-registry.js';
import type { StatementClassifier } from './statement-classifier.js';
import type { UpstreamTarget } from './upstream-target.js';

/** observe: statements proceed while their events queue; fail_closed: event durable first. */
export type AuditMode = 'observe' | 'fail_closed';

/**
 * What applies to each statement as it starts: a reload of the configuration replaces it
 * for the next statements of live sessions too.
 */
export interface StatementPolicy {
  redaction: RedactionPolicy;
  /** Statements refused (42501) or marked, checked in order. */
  guardrails: readonly GuardrailRule[];
  /** Classifies for this redaction policy (what it works out and caches depends on it). */
  classifier: StatementClassifier;
}

/** Everything a client session needs, injected (time and randomness included). */
export interface GatewayDeps {
  upstream: UpstreamTarget;
  credentials: CredentialStore;
  audit: AuditQueue;
  mode: AuditMode;
  /** Shared by every session of a listener; a reload replaces `current`. */
  policy: { current: StatementPolicy };
  cancels: CancelRegistry;
  clock: Clock;
  /** Event ids (ULIDs), so a retried batch is stored once. */
  newEventId: () => string;
  newSessionId: () => string;
  random: (n: number) => Buffer;
  maxMessageBytes: number;
  /** TLS for clients (SSLRequest answered 'S'); `require` refuses clients in the clear. */
  tls?: { context: SecureContext; require: boolean };
  /** Reports a session's failure that is not the client's (the CLI prints it). */
  log?: (message: string) => void;
}
