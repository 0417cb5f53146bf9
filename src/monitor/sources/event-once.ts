import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { SelfAudit, SelfAuditEvent } from '../../log/self-audit.js';

/**
 * A UUIDv8 (RFC 9562 §5.8) derived from `name`: the same fact always gets the same event id,
 * so recording it again after a crash or from a second server stores nothing new.
 */
export function eventIdFor(name: string): string {
  const b = createHash('sha256').update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Appends the event under a deterministic id. A retry finds the id stored: the sequencer
 * answers the stored entry (same content) or a conflict (same id, a later `time`) — either
 * way the fact is already in the log once.
 */
export async function recordOnce(
  audit: SelfAudit,
  name: string,
  event: Omit<SelfAuditEvent, 'id'>,
): Promise<void> {
  try {
    await audit.record({ ...event, id: eventIdFor(name) });
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'conflict')) throw error;
  }
}
