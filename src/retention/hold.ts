import { purgedIdDigest } from '../store/tables/retention/purged-payloads-table.js';

/**
 * A legal hold: entries matching every criterion it names (source, actor id, target id, a
 * received_at range) are never purged while it is live, whatever the policy says.
 */
export interface LegalHold {
  id: string;
  matter: string;
  reason: string;
  source: string | null;
  actorId: string | null;
  targetId: string | null;
  /** received_at range, both ends inclusive. */
  fromMs: number | null;
  toMs: number | null;
  placedAtMs: number;
  placedBy: string;
  releasedAtMs: number | null;
  releasedBy: string | null;
  version: number;
}

export type HoldCriteria = Pick<LegalHold, 'source' | 'actorId' | 'targetId' | 'fromMs' | 'toMs'>;

/** What a hold is matched against; a purged entry's ids are digests (purgedIdDigest). */
export interface HeldFields {
  source: string;
  receivedAtMs: number;
  actorId: string;
  targetId: string | null;
}

/** Whether `hold` covers the entry; `digested` when its ids were replaced by a purge. */
export function holdCovers(hold: HoldCriteria, entry: HeldFields, digested = false): boolean {
  const id = (value: string) => (digested ? purgedIdDigest(value) : value);
  if (hold.source !== null && hold.source !== entry.source) return false;
  if (hold.actorId !== null && id(hold.actorId) !== entry.actorId) return false;
  if (hold.targetId !== null && id(hold.targetId) !== entry.targetId) return false;
  if (hold.fromMs !== null && entry.receivedAtMs < hold.fromMs) return false;
  if (hold.toMs !== null && entry.receivedAtMs > hold.toMs) return false;
  return true;
}
