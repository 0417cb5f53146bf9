/**
 * Follows the log from a seq onwards: committed pages first, then every new commit as it
 * lands, forever, until stopped. Memory stays bounded (one page at a time, pulled only as
 * fast as the consumer reads); wake-ups come from this process's commits and, because other
 * server processes may append to the same PostgreSQL log, from polling the head too.
 */
import type { SourceScope } from '../../access/authorization/source-scope.js';
import { inScope } from '../../access/authorization/source-scope.js';
import type { Store, StoredEntry } from '../../store/store.js';
import { PURGED_RECORD } from '../../store/tables/retention/purged-payloads-table.js';

export const FOLLOW_PAGE = 500;

export interface FollowOptions {
  store: Pick<Store, 'head' | 'entries'>;
  /** The first seq to deliver. */
  from: number;
  /** Stop before this seq (the head when the stream opened, for a one-off export). */
  until?: number;
  scope: SourceScope;
  /** Registers a wake-up on new commits; returns the unsubscribe. */
  onCommitted: (wake: () => void) => () => void;
  /** How often the head is re-read when nothing woke us (other processes' appends). */
  pollMs: number;
  /** After this long with nothing to send, a heartbeat is yielded. */
  heartbeatMs: number;
  /** Aborted on client disconnect or server shutdown. */
  signal: AbortSignal;
}

export type FollowItem = { entry: StoredEntry } | { heartbeat: true };

export async function* followLog(o: FollowOptions): AsyncGenerator<FollowItem> {
  let next = o.from;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const unsubscribe = o.onCommitted(poke);
  o.signal.addEventListener('abort', poke);
  try {
    let quietSince = Date.now();
    const until = o.until ?? Number.POSITIVE_INFINITY;
    while (!o.signal.aborted && next < until) {
      const size = Math.min((await o.store.head())?.size ?? 0, until);
      if (next < size) {
        const page = await o.store.entries(next, Math.min(size, next + FOLLOW_PAGE));
        for (const entry of page) {
          if (o.signal.aborted) return;
          next = entry.seq + 1;
          // A purged payload (docs/retention.md) has nothing to stream.
          if (entry.record !== PURGED_RECORD && inScope(o.scope, entry.source)) {
            quietSince = Date.now();
            yield { entry };
          }
        }
        if (page.length === 0)
          throw new Error(`entries from seq ${next} are missing below size ${size}`);
        continue;
      }
      if (Date.now() - quietSince >= o.heartbeatMs) {
        quietSince = Date.now();
        yield { heartbeat: true };
        continue;
      }
      const waitMs = Math.min(o.pollMs, o.heartbeatMs - (Date.now() - quietSince));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(waitMs, 1));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    o.signal.removeEventListener('abort', poke);
  }
}
