import type { HoldCriteria } from '../retention/hold.js';
import { HOLD_PLACE_ACTION, HOLD_RELEASE_ACTION } from '../retention/hold-service.js';
import type { RetentionEvent } from './purge-check.js';

export interface ReplayedHold extends HoldCriteria {
  id: string;
  matter: string;
  /** The seq of its legal_hold.place event. */
  seq: number;
}

/**
 * The holds the log's own legal_hold.place/.release events had live just before `seq`:
 * verify judges a purge by the log, never by the legal_holds table.
 */
export function holdsLiveAt(events: readonly RetentionEvent[], seq: number): ReplayedHold[] {
  const live = new Map<string, ReplayedHold>();
  for (const event of events) {
    if (event.seq >= seq) break;
    if (event.action !== HOLD_PLACE_ACTION && event.action !== HOLD_RELEASE_ACTION) continue;
    const d = event.details as Record<string, unknown> | undefined;
    if (!d || typeof d.hold_id !== 'string') continue;
    if (event.action === HOLD_RELEASE_ACTION) {
      live.delete(d.hold_id);
      continue;
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    live.set(d.hold_id, {
      id: d.hold_id,
      matter: text(d.matter) ?? '',
      seq: event.seq,
      source: text(d.hold_source),
      actorId: text(d.actor_id),
      targetId: text(d.target_id),
      fromMs: num(d.from_ms),
      toMs: num(d.to_ms),
    });
  }
  return [...live.values()];
}
