import { SELF_SOURCE } from '../log/self-source.js';
import { isUniqueViolation } from '../store/sql/query-runner.js';
import type { Store } from '../store/store.js';
import { purgePayloads } from '../store/tables/retention/purged-payloads-table.js';
import type { Clock } from '../util/clock.js';
import { PURGE_ACTION, parsePurgeDetails } from './purge-event.js';

export interface ReapplyResult {
  /** retention.purge events read. */
  events: number;
  /** Payloads removed again (present although a recorded purge covers them). */
  purged: number;
  /** Events whose details could not be read (verify names them). */
  unreadable: number[];
}

const PAGE = 200;
const RANGES_PER_TRANSACTION = 500;

/**
 * Re-applies every purge the log records. A database restored from a backup taken before a
 * purge has the payloads back but (if the backup is newer than the event) the event too, or
 * gets it again when the log is re-synchronised: the log is the authority, so its purges
 * hold. Seqs already purged, or purged and then restored from an archive, are left alone.
 */
export async function reapplyRecordedPurges(store: Store, clock: Clock): Promise<ReapplyResult> {
  const result: ReapplyResult = { events: 0, purged: 0, unreadable: [] };
  let toSeq: number | undefined;
  for (;;) {
    const page = await store.search({
      action: PURGE_ACTION,
      source: SELF_SOURCE,
      limit: PAGE,
      ...(toSeq === undefined ? {} : { toSeq }),
    });
    for (const event of page) {
      result.events++;
      const details = parsePurgeDetails(detailsOf(event.record));
      if (typeof details === 'string') {
        result.unreadable.push(event.seq);
        continue;
      }
      // Ranges as recorded (a month is one range): the store removes them set-based, whole
      // partitions at a time on PostgreSQL.
      const ranges = details.ranges
        .filter(([from]) => from < event.seq)
        .map(([from, to]): [number, number] => [from, Math.min(to, event.seq - 1)]);
      for (let i = 0; i < ranges.length; i += RANGES_PER_TRANSACTION) {
        const chunk = ranges.slice(i, i + RANGES_PER_TRANSACTION);
        const apply = () =>
          store.transaction((tx) =>
            purgePayloads(tx, { purgeSeq: event.seq, ranges: chunk, atMs: clock.now() }),
          );
        // Another server process starting beside this one may mark the same seqs first.
        result.purged += await apply().catch((error: unknown) => {
          if (isUniqueViolation(error)) return apply();
          throw error;
        });
      }
    }
    if (page.length < PAGE) return result;
    toSeq = page[page.length - 1]!.seq;
  }
}

function detailsOf(record: string): unknown {
  try {
    return (JSON.parse(record) as { details?: unknown }).details;
  } catch {
    return undefined;
  }
}
