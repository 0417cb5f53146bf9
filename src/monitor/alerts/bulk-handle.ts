import type { SourceScope } from '../../access/authorization/source-scope.js';
import { AppError } from '../../errors.js';
import type { AlertState } from '../types.js';
import type { ActorSnapshot, AlertRecord } from './alert.js';
import type { AlertFilter } from './alert-filter.js';
import type { AlertService } from './alert-service.js';
import type { Transition } from './lifecycle.js';

/** Alerts one bulk request may change at most; a wider filter is refused, not half-done. */
export const BULK_MAX = 1000;
export const BULK_DEFAULT_MAX = 200;
/** Steps in flight at once: enough for group commit to batch their events, few enough to be gentle. */
const CONCURRENCY = 8;
/** Refusals named one by one in the answer; the count covers the rest. */
const MAX_REFUSALS_LISTED = 50;

export type BulkTransition = Extract<Transition, { action: 'acknowledge' | 'resolve' }>;

export interface BulkRequest {
  filter: AlertFilter;
  /** The caller's scope: alerts outside it are never read into the counts, let alone changed. */
  scope: SourceScope;
  transition: BulkTransition;
  by: ActorSnapshot;
  dryRun: boolean;
  max: number;
}

export interface BulkResult {
  matched: number;
  /** Changed now (or, in a dry run, that would change). */
  changed: number;
  /** Already in the state asked for: nothing to do, nothing logged (idempotent). */
  already: number;
  /** Could not take the step (e.g. acknowledging a resolved alert), with why. */
  refused: number;
  refusals: { id: string; reason: string }[];
  changedIds: string[];
}

const TARGET: Record<BulkTransition['action'], AlertState> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
};

/** Whether an alert in `state` can take the step (lifecycle.ts has the same rules, and the last word). */
function fits(action: BulkTransition['action'], state: AlertState): boolean {
  return action === 'acknowledge' ? state === 'open' : state !== 'resolved';
}

/**
 * One disposition for every alert a filter matches. Each alert still takes its own step
 * through AlertService.handle (its own transaction and its own `alert.*` event), so
 * the log reads the same as if each had been handled by hand. Matching more than `max`
 * is a 400 before anything changes: a mistaken filter must show, not act.
 */
export async function bulkHandle(service: AlertService, request: BulkRequest): Promise<BulkResult> {
  const { alerts, next } = await service.page({
    filter: request.filter,
    scope: request.scope,
    limit: request.max,
  });
  if (alerts.length > request.max || next !== null) {
    throw new AppError(
      'too_many_matches',
      `more than ${request.max} alerts match this filter; narrow it (rule, source, group, from/to, state) or raise "max" (at most ${BULK_MAX}); a dry run shows the count`,
      { path: 'max' },
    );
  }
  const target = TARGET[request.transition.action];
  const result: BulkResult = {
    matched: alerts.length,
    changed: 0,
    already: 0,
    refused: 0,
    refusals: [],
    changedIds: [],
  };
  const refuse = (id: string, reason: string) => {
    result.refused++;
    if (result.refusals.length < MAX_REFUSALS_LISTED) result.refusals.push({ id, reason });
  };
  const todo: AlertRecord[] = [];
  for (const alert of alerts) {
    if (alert.state === target) result.already++;
    else if (!fits(request.transition.action, alert.state)) {
      refuse(alert.id, `the alert is ${alert.state}`);
    } else todo.push(alert);
  }
  if (request.dryRun) {
    result.changed = todo.length;
    return result;
  }
  // Oldest first, so the log's alert events follow the order the alerts were raised in.
  todo.reverse();
  let cursor = 0;
  const worker = async () => {
    while (cursor < todo.length) {
      const alert = todo[cursor++]!;
      try {
        await service.handle(alert.id, request.transition, request.by, request.scope);
        result.changed++;
        result.changedIds.push(alert.id);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'conflict') throw error;
        // Someone else moved it meanwhile: already done, or no longer fitting.
        const now = (await service.get(alert.id))?.value.state;
        if (now === target) result.already++;
        else refuse(alert.id, error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
  return result;
}
