/**
 * Puts archived payloads back into the log they were purged from. Each payload goes back
 * only if its leaf hash is the one the log stores for its seq (restorePayload checks it in
 * the database transaction); one that does not match refuses the whole restore, and nothing
 * is written. The restore and its `archive.restore` event commit together (recordWithin).
 */
import { AppError } from '../../errors.js';
import type { AuditActor, SelfAudit } from '../../log/self-audit.js';
import { restorePayload } from '../../store/tables/retention/purged-payloads-table.js';
import type { Clock } from '../../util/clock.js';
import type { RecordLine } from './bundle-lines.js';

export const ARCHIVE_RESTORE_ACTION = 'archive.restore';

export interface RestoreReport {
  /** Seqs whose payload came back. */
  restored: number[];
  /** Seqs that were never purged, or were restored before: left as they are. */
  untouched: number[];
}

/**
 * A payload that is not the one the log's tree holds for its seq. An AppError, so the
 * sequencer passes the refusal through as it is (anything else becomes commit_failed).
 */
export class RestoreRefused extends AppError {
  constructor(readonly seq: number) {
    super(
      'invalid_proof',
      `seq ${seq}: the payload does not match the leaf hash the log stores for it; nothing was restored`,
    );
  }
}

export async function restoreEntries(
  audit: SelfAudit,
  principal: AuditActor,
  entries: readonly RecordLine[],
  clock: Clock,
  bundle: { sha256: string },
): Promise<RestoreReport> {
  const { result } = await audit.recordWithin(async (tx) => {
    const report: RestoreReport = { restored: [], untouched: [] };
    const atMs = clock.now();
    for (const e of entries) {
      const outcome = await restorePayload(tx, { seq: e.seq, record: e.record, atMs });
      if (outcome === 'leaf_hash_mismatch') throw new RestoreRefused(e.seq);
      (outcome === 'restored' ? report.restored : report.untouched).push(e.seq);
    }
    const events =
      report.restored.length === 0
        ? []
        : [
            {
              principal,
              action: ARCHIVE_RESTORE_ACTION,
              target: { type: 'archive_bundle', id: bundle.sha256 },
              category: 'audit' as const,
              details: {
                restored: report.restored.length,
                first_seq: report.restored[0]!,
                last_seq: report.restored.at(-1)!,
                untouched: report.untouched.length,
              },
            },
          ];
    return { events, result: report };
  });
  return result;
}
