export {
  type ClientOptions,
  EvidentClient,
  type Receipt,
  type StoredEvent,
} from './client.js';
export { type ClientErrorCode, EvidentClientError } from './errors.js';
export type {
  Actor,
  AuditEvent,
  Category,
  Outcome,
  RequestInfo,
  Sensitivity,
  Severity,
  Target,
} from './record.js';
export {
  type AppendAnswer,
  backoffMs,
  type FetchLike,
  isRetryable,
  type SendOptions,
  sendBatch,
} from './transport.js';
export {
  type Checkpoint,
  leafHash,
  openCheckpoint,
  parseVerifierKey,
  rootFromInclusionProof,
} from './verify.js';
