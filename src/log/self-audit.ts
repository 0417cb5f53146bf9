import { SELF_SOURCE } from '../access/ingest-keys.js';
import type { Principal } from '../access/principal.js';
import { validateSubmittedRecord } from '../core/record/validate.js';
import type { Clock } from '../util/clock.js';
import type { Sequencer } from './sequencer.js';

export type SelfAuditAction =
  | 'audit_log.search'
  | 'audit_log.read'
  | 'audit_log.export'
  | 'audit_log.proof'
  | 'ingest_key.create'
  | 'ingest_key.revoke'
  | 'ingest_key.list';

export interface SelfAuditEvent {
  principal: Principal | { kind: 'operator'; id: string };
  ip?: string;
  action: SelfAuditAction;
  target?: { type: string; id: string };
  details?: Record<string, string | number | boolean | null>;
}

/**
 * Invariant 4: the log records who read it and who changed it, as ordinary events of source
 * `evident`. Callers await the append before answering, so an access is never served
 * without its trace being durable (fail closed).
 */
export class SelfAudit {
  constructor(
    private readonly sequencer: Sequencer,
    private readonly origin: string,
    private readonly clock: Clock,
  ) {}

  async record(event: SelfAuditEvent): Promise<void> {
    const actor: Record<string, string> = {
      id: event.principal.id,
      type: actorType(event.principal),
    };
    if (event.ip !== undefined) actor.ip = event.ip;
    const record = validateSubmittedRecord(
      {
        time: new Date(this.clock.now()).toISOString(),
        actor,
        action: event.action,
        target: event.target ?? { type: 'audit_log', id: this.origin },
        outcome: 'success',
        category: 'audit',
        ...(event.details ? { details: event.details } : {}),
      },
      '$',
      { boundSource: SELF_SOURCE },
    );
    await this.sequencer.append([record], SELF_SOURCE);
  }
}

function actorType(principal: SelfAuditEvent['principal']): string {
  switch (principal.kind) {
    case 'admin':
      return 'admin_token';
    case 'ingest':
      return 'ingest_key';
    case 'operator':
      return 'operator';
  }
}
