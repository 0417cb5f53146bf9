import type { SubmittedRecord } from '../../core/record/types.js';
import { AppError } from '../../errors.js';
import type { Sequencer } from '../../log/sequencer.js';
import type { Store } from '../../store/store.js';

export interface MappedEntry {
  id: string;
  seq: number;
  leafHash: Uint8Array;
  /** Stored before (a shipper's retry, or a repeat inside the request). */
  duplicate: boolean;
}

/**
 * Appends records a shipper mapping produced (POST /api/v1/ingest/:mapping). With content
 * ids (`dedupe`), a retry's records may be stored already: those are answered from the store
 * (and repeats inside the request once), and only the rest are appended.
 */
export class MappedAppend {
  constructor(
    private readonly store: Pick<Store, 'entriesByIds' | 'head'>,
    private readonly sequencer: Pick<Sequencer, 'append'>,
  ) {}

  async append(
    records: readonly SubmittedRecord[],
    source: string,
    dedupe: boolean,
  ): Promise<{ entries: MappedEntry[]; checkpoint: string }> {
    let fresh = [...records];
    const stored = new Map<string, { seq: number; leafHash: Uint8Array }>();
    if (dedupe) {
      const ids = [...new Set(records.map((r) => r.id!))];
      for (const [id, e] of await this.store.entriesByIds(ids)) stored.set(id, e);
      const seen = new Set<string>();
      fresh = records.filter((r) => {
        if (stored.has(r.id!) || seen.has(r.id!)) return false;
        seen.add(r.id!);
        return true;
      });
    }
    const result = fresh.length > 0 ? await this.sequencer.append(fresh, source) : undefined;
    let checkpoint: string;
    if (result) {
      checkpoint = result.checkpoint;
    } else {
      const head = await this.store.head();
      if (!head) throw new AppError('internal', 'records are stored but the log has no head');
      checkpoint = head.checkpoint.note;
    }
    if (!dedupe) {
      const entries = (result?.entries ?? []).map((e) => ({
        id: e.id,
        seq: e.seq,
        leafHash: e.leafHash,
        duplicate: e.duplicate,
      }));
      return { entries, checkpoint };
    }
    const appended = new Map((result?.entries ?? []).map((e) => [e.id, e]));
    const answered = new Set<string>();
    const entries = records.map((r): MappedEntry => {
      const id = r.id!;
      const a = appended.get(id);
      const first = a !== undefined && !answered.has(id);
      answered.add(id);
      if (first) return { id, seq: a.seq, leafHash: a.leafHash, duplicate: a.duplicate };
      const known = a ?? stored.get(id)!;
      return { id, seq: known.seq, leafHash: known.leafHash, duplicate: true };
    });
    return { entries, checkpoint };
  }
}
