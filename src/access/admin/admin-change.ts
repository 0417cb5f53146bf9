import type { AppError } from '../../errors.js';
import type { SelfAuditEvent } from '../../log/self-audit.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import { activeAdminIds } from '../../store/tables/accounts/accounts-table.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { type AdminEvent, adminEvent } from './admin-events.js';

/** One administrative change in progress: its transaction and the events that commit with it. */
export interface AdminChange {
  /** The state tables inside the log's append transaction. */
  readonly tx: QueryRunner;
  readonly actor: AdminActor;
  readonly nowMs: number;
  /** An event of this change: it is appended if, and only if, the change commits. */
  record(event: AdminEvent): void;
  /**
   * Abandons the change (nothing it wrote is kept) and throws `refusal`, after recording it
   * as a denied event: a step refused by separation of duties is evidence too.
   */
  refuse(refusal: AppError, event: Omit<AdminEvent, 'outcome' | 'reason'>): never;
}

/** Thrown out of the transaction by `refuse`, so the rollback happens before the denial is recorded. */
class Refused extends Error {
  constructor(
    readonly refusal: AppError,
    readonly event: SelfAuditEvent,
  ) {
    super(refusal.message);
  }
}

/**
 * Runs `work` as one administrative change: every state write it makes through `change.tx` and
 * every event it records commit together in the log's append transaction, or nothing does
 * (a crash, an error, a refusal). `work` may run again if the batch is retried, so it touches
 * the database only through `change.tx` and has no other side effects.
 */
export async function inAdminChange<T>(
  ctx: Pick<AdminContext, 'audit' | 'clock'>,
  actor: AdminActor,
  work: (change: AdminChange) => Promise<T>,
): Promise<T> {
  try {
    const { result } = await ctx.audit.recordWithin(async (tx) => {
      // Every change locks the enabled admins' rows first (PostgreSQL; SQLite's writer is
      // exclusive anyway), always in id order: "is this the last admin?" is then answered from
      // rows no concurrent change can alter, and two changes never wait on each other in turn.
      await activeAdminIds(tx, { lock: true });
      const events: SelfAuditEvent[] = [];
      const change: AdminChange = {
        tx,
        actor,
        nowMs: ctx.clock.now(),
        record: (event) => {
          events.push(adminEvent(actor, event));
        },
        refuse: (refusal, event) => {
          throw new Refused(
            refusal,
            adminEvent(actor, { ...event, outcome: 'denied', reason: refusal.message }),
          );
        },
      };
      return { events, result: await work(change) };
    });
    return result;
  } catch (error) {
    const refused = refusedIn(error);
    if (!refused) throw error;
    await ctx.audit.record(refused.event);
    throw refused.refusal;
  }
}

/** The refusal, whether the sequencer passed it through as is or wrapped it as a cause. */
function refusedIn(error: unknown): Refused | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    if (e instanceof Refused) return e;
    e = e.cause;
  }
  return undefined;
}
