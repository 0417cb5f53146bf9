import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { snapshotOf } from '../../monitor/alerts/alert-events.js';
import { readableBy } from '../../monitor/alerts/alert-filter.js';
import { AlertService } from '../../monitor/alerts/alert-service.js';
import {
  BULK_DEFAULT_MAX,
  BULK_MAX,
  type BulkTransition,
  bulkHandle,
} from '../../monitor/alerts/bulk-handle.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { resolveAssigneeFilter } from './alert-assignees.js';
import { FILTER_PARAMS, filterDetails, readFilter, resolveTransition } from './alerts.js';

const BODY_FIELDS = ['action', 'disposition', 'note', 'dry_run', 'max'] as const;

/**
 * Bulk triage (docs/api.md "Handle many alerts at once"): acknowledge or resolve every
 * alert a filter matches, within the caller's scope, each as its own step and event.
 * The filter is the list's query string; the body says what to do.
 */
export function alertBulkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const service = new AlertService({ store: ctx.store, audit: ctx.audit, clock: ctx.clock });

  app.post('/api/v1/alerts/bulk', async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.handle');
    const q = new QueryReader(request.query, FILTER_PARAMS);
    const given = filterDetails(q);
    if (Object.keys(given).length === 0) {
      throw new AppError(
        'filter_required',
        `bulk handling needs a filter in the query string (${FILTER_PARAMS.join(', ')}); to take every open alert, say state=open`,
      );
    }
    const filter = await resolveAssigneeFilter(ctx.accounts, readFilter(q));
    const body = jsonObjectBody(request.body, BODY_FIELDS);
    const transition = bulkTransition(body);
    const dryRun = flag(body, 'dry_run');
    const max = maxField(body);
    const result = await bulkHandle(service, {
      filter,
      keep: readableBy(scope, filter),
      transition,
      by: snapshotOf(principal, request.ip),
      dryRun,
      max,
    });
    if (!dryRun && result.matched > 0) {
      // One event ties the steps together: who asked for what, by which filter, with what effect.
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'alert.bulk_handle',
        target: { type: 'alerts', id: 'bulk' },
        details: {
          step: transition.action,
          ...(transition.action === 'resolve' ? { disposition: transition.disposition } : {}),
          filter: given,
          matched: result.matched,
          changed: result.changed,
          already: result.already,
          refused: result.refused,
        },
      });
    }
    return {
      action: transition.action,
      dry_run: dryRun,
      matched: result.matched,
      [dryRun ? 'would_change' : 'changed']: result.changed,
      already: result.already,
      refused: result.refused,
      refusals: result.refusals,
      ...(dryRun ? {} : { changed_ids: result.changedIds }),
    };
  });
}

function bulkTransition(body: Record<string, unknown>): BulkTransition {
  const action = body.action;
  if (action === 'acknowledge') {
    for (const name of ['disposition', 'note']) {
      if (body[name] !== undefined) {
        throw new AppError(
          'conflicting_fields',
          `"${name}" belongs to "resolve", not "acknowledge"`,
          {
            path: name,
          },
        );
      }
    }
    return { action: 'acknowledge' };
  }
  if (action === 'resolve') return resolveTransition(body) as BulkTransition;
  throw new AppError(
    'missing_field',
    '"action" is required: "acknowledge" or "resolve" (with "disposition" and "note")',
    { path: 'action' },
  );
}

function flag(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new AppError('invalid_field', `"${name}" must be true or false`, { path: name });
  }
  return value;
}

function maxField(body: Record<string, unknown>): number {
  const value = body.max;
  if (value === undefined) return BULK_DEFAULT_MAX;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > BULK_MAX) {
    throw new AppError(
      'invalid_field',
      `"max" must be a whole number from 1 to ${BULK_MAX}: the most alerts this request may change (default ${BULK_DEFAULT_MAX})`,
      { path: 'max' },
    );
  }
  return value as number;
}
