import type { AuditActor } from '../log/self-audit.js';

/** Who asks for a change, as the log's own event about it names them. */
export interface Requester {
  principal: AuditActor;
  ip?: string;
}
