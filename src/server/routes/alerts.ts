import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorize.js';
import { describeScope, type SourceScope } from '../../access/source-scope.js';
import { isCleanText } from '../../core/record/validate.js';
import { AppError } from '../../errors.js';
import { MAX_TEXT_LENGTH } from '../../monitor/alerts/alert.js';
import { snapshotOf } from '../../monitor/alerts/alert-events.js';
import { type AlertFilter, readableBy, visibleTo } from '../../monitor/alerts/alert-filter.js';
import { alertForScope } from '../../monitor/alerts/alert-scope.js';
import { AlertService, isAlertId } from '../../monitor/alerts/alert-service.js';
import type { Transition } from '../../monitor/alerts/lifecycle.js';
import { alertMetrics } from '../../monitor/alerts/metrics.js';
import { ALERT_SEVERITIES, ALERT_STATES, DISPOSITIONS } from '../../monitor/types.js';
import { csvLine } from '../../util/csv.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody, stringField } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import {
  ALERT_CSV_COLUMNS,
  alertCsvRow,
  alertJson,
  alertMetricsJson,
  alertSummaryJson,
} from '../presenters/alert.js';
import { assigneeNames, resolveAssigneeFilter } from './alert-assignees.js';

export const ALERTS_DEFAULT_LIMIT = 50;
export const ALERTS_MAX_LIMIT = 500;
/** Documents one list request reads at most; a narrow filter pages on with next_cursor. */
const MAX_SCANNED = 5000;
/** Alerts one export or metrics request covers at most (narrow with from/to beyond). */
export const ALERTS_MAX_EXPORT = 100_000;

export const FILTER_PARAMS = [
  'state',
  'severity',
  'rule',
  'source',
  'group',
  'assignee',
  'from',
  'to',
];
type Params = { Params: { id: string } };

/**
 * Alerts and their handling (docs/api.md "Alerts"). Reading is
 * `alerts.read`, handling `alerts.handle`; a scoped grant sees an alert when any of its
 * sources is in scope, and any other alert is a 404 as if it did not exist. Every handling
 * step is an `alert.*` event in the log, and exports are audited as `alert.export`.
 */
export function alertRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const service = new AlertService({ store: ctx.store, audit: ctx.audit, clock: ctx.clock });

  app.get('/api/v1/alerts', async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
    const q = new QueryReader(request.query, [...FILTER_PARAMS, 'limit', 'cursor']);
    const filter = await resolveAssigneeFilter(ctx.accounts, readFilter(q));
    const limit = q.integer('limit', { min: 1, max: ALERTS_MAX_LIMIT }) ?? ALERTS_DEFAULT_LIMIT;
    const cursor = q.string('cursor', 64);
    if (cursor !== undefined && !isAlertId(cursor)) {
      throw new AppError(
        'invalid_cursor',
        'query parameter "cursor" is not a cursor this server issued; use next_cursor from a previous page',
        { path: 'cursor' },
      );
    }
    const page = await service.page({
      filter,
      keep: readableBy(scope, filter),
      limit,
      maxScanned: MAX_SCANNED,
      ...(cursor !== undefined ? { before: cursor } : {}),
    });
    // Alerts carry event values (group fields, descriptions): a page is a read of the log's
    // contents, recorded before it is sent like a search.
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'alert.list',
      target: { type: 'alerts', id: '*' },
      details: {
        ...filterDetails(q),
        ...(cursor !== undefined ? { cursor } : {}),
        limit,
        returned: page.alerts.length,
        ...(page.alerts.length > 0 ? { first_id: page.alerts[0]!.id } : {}),
        ...(page.alerts.length > 0 ? { last_id: page.alerts.at(-1)!.id } : {}),
        scope: describeScope(scope),
      },
    });
    const names = await assigneeNames(ctx.accounts, page.alerts);
    return {
      alerts: page.alerts.map((a) => alertSummaryJson(alertForScope(a, scope), names)),
      next_cursor: page.next,
    };
  });

  app.get('/api/v1/alerts/export', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
    const q = new QueryReader(request.query, [...FILTER_PARAMS, 'format']);
    const format = q.oneOf('format', ['ndjson', 'csv'] as const) ?? 'ndjson';
    const filter = await resolveAssigneeFilter(ctx.accounts, readFilter(q));
    const alerts = await service.all(filter, readableBy(scope, filter), ALERTS_MAX_EXPORT);
    // Recorded before anything is sent: an export is never served without its trace.
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'alert.export',
      target: { type: 'alerts', id: 'export' },
      details: {
        format,
        ...filterDetails(q),
        count: alerts.length,
        ...(alerts.length > 0 ? { first_id: alerts[alerts.length - 1]!.id } : {}),
        ...(alerts.length > 0 ? { last_id: alerts[0]!.id } : {}),
      },
    });
    // Oldest first, as a file of records is read.
    alerts.reverse();
    if (format === 'csv') {
      const body =
        csvLine(ALERT_CSV_COLUMNS) +
        alerts.map((a) => csvLine(alertCsvRow(alertForScope(a, scope)))).join('');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="alerts.csv"')
        .send(body);
    }
    const body = alerts
      .map((a) => `${JSON.stringify(alertJson(alertForScope(a, scope)))}\n`)
      .join('');
    return reply.type('application/x-ndjson; charset=utf-8').send(body);
  });

  app.get('/api/v1/alerts/metrics', async (request) => {
    const { scope } = await ctx.accessScoped(request, 'alerts.read');
    const q = new QueryReader(request.query, ['from', 'to', 'rule', 'source']);
    const filter = readFilter(q);
    const alerts = await service.all(filter, readableBy(scope, filter), ALERTS_MAX_EXPORT);
    return alertMetricsJson(alertMetrics(alerts), { fromMs: filter.fromMs, toMs: filter.toMs });
  });

  app.get<Params>('/api/v1/alerts/:id', async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
    const id = alertId(request.params.id);
    new QueryReader(request.query, []);
    let alert: Awaited<ReturnType<typeof visibleAlert>> | undefined;
    try {
      alert = await visibleAlert(service, scope, id);
    } finally {
      // Like an entry read: recorded found or not, before the answer.
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'alert.read',
        target: { type: 'alert', id },
        details: { found: alert !== undefined, scope: describeScope(scope) },
      });
    }
    return alertJson(alertForScope(alert, scope), await assigneeNames(ctx.accounts, [alert!]));
  });

  const step = (
    url: string,
    fields: readonly string[],
    read: (body: Record<string, unknown>) => Transition,
    /** Checks that need the alert (its sources) and may complete the transition. */
    complete?: (t: Transition, sources: readonly string[]) => Promise<Transition>,
  ) =>
    app.post<Params>(`/api/v1/alerts/:id/${url}`, async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, 'alerts.handle');
      const id = alertId(request.params.id);
      new QueryReader(request.query, []);
      const transition = read(
        jsonObjectBody(request.body, fields, { optional: fields.length === 0 }),
      );
      const alert = await visibleAlert(service, scope, id);
      const checked = complete ? await complete(transition, alert.sources) : transition;
      const handled = await service.handle(id, checked, snapshotOf(principal, request.ip));
      return alertJson(alertForScope(handled, scope), await assigneeNames(ctx.accounts, [handled]));
    });

  step('acknowledge', [], () => ({ action: 'acknowledge' }));
  step('resolve', ['disposition', 'note'], resolveTransition);
  step('reopen', ['note'], (body) => ({
    action: 'reopen',
    note: textField(body, 'note', 'why the alert needs handling again'),
  }));
  step('comments', ['text'], (body) => ({
    action: 'comment',
    text: textField(body, 'text', 'the comment'),
  }));
  step(
    'assign',
    ['assignee'],
    (body) => {
      if (!('assignee' in body)) {
        throw new AppError(
          'missing_field',
          '"assignee" is required: an account id or name, or null to unassign',
          { path: 'assignee' },
        );
      }
      const assignee =
        body.assignee === null ? null : (stringField(body, 'assignee', { max: 256 }) ?? null);
      return { action: 'assign', assignee };
    },
    async (t, sources) => {
      if (t.action !== 'assign' || t.assignee === null) return t;
      const account =
        (await ctx.accounts.get(t.assignee)) ?? (await ctx.accounts.findByName(t.assignee));
      // One answer for "no such account" and "cannot handle it": a reviewer must not learn
      // which account names exist.
      const refused = new AppError(
        'invalid_field',
        `no active account "${t.assignee}" can handle this alert: assign an account with the reviewer role over one of its sources`,
        { path: 'assignee' },
      );
      if (!account || account.disabled) throw refused;
      // The assignee must be able to act on it: a reviewer over one of its sources.
      let scope: SourceScope | undefined;
      try {
        scope = authorize(
          {
            kind: account.kind,
            id: account.id,
            name: account.name,
            grants: account.grants,
            credential: { method: 'token', tokenId: '' },
          },
          'alerts.handle',
        );
      } catch (error) {
        // A refusal means "cannot handle it"; any other failure is the server's, not a 400.
        if (!(error instanceof AppError)) throw error;
        scope = undefined;
      }
      if (!scope || !visibleTo(scope, { sources })) throw refused;
      return { action: 'assign', assignee: account.id };
    },
  );
}

/** The alert filters of a query string (list, export, metrics, bulk); assignee left as given. */
export function readFilter(q: QueryReader): AlertFilter {
  const filter: AlertFilter = {};
  const state = q.oneOf('state', ALERT_STATES);
  const severity = q.oneOf('severity', ALERT_SEVERITIES);
  const rule = q.string('rule');
  const source = q.string('source');
  const assignee = q.string('assignee');
  const group = groupFilter(q.string('group', 512));
  const fromMs = q.timestamp('from');
  const toMs = q.timestamp('to');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
    throw new AppError('empty_range', 'query parameter "from" must not be after "to"', {
      path: 'from',
    });
  }
  if (state !== undefined) filter.state = state;
  if (severity !== undefined) filter.severity = severity;
  if (rule !== undefined) filter.rule = rule;
  if (source !== undefined) filter.source = source;
  if (assignee !== undefined) filter.assignee = assignee;
  if (group !== undefined) filter.group = group;
  if (fromMs !== undefined) filter.fromMs = fromMs;
  if (toMs !== undefined) filter.toMs = toMs;
  return filter;
}

/** `group=actor.id=u-1`: the field the rule grouped by, then its value, split at the first `=`. */
function groupFilter(text: string | undefined): AlertFilter['group'] {
  if (text === undefined) return undefined;
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new AppError(
      'invalid_query',
      'query parameter "group" must be FIELD=VALUE, the field a rule grouped by and its value, e.g. group=actor.id=u-1',
      { path: 'group' },
    );
  }
  return { field: text.slice(0, at), value: text.slice(at + 1) };
}

/** The filters as given, for audit events (export, bulk handling). */
export function filterDetails(q: QueryReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FILTER_PARAMS) {
    const value = q.string(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function alertId(id: string): string {
  if (!isAlertId(id)) {
    throw new AppError('invalid_field', `"${id.slice(0, 64)}" is not an alert id (a ULID)`, {
      path: 'id',
    });
  }
  return id;
}

/** The alert, or the same 404 whether it does not exist or lies outside the caller's scope. */
async function visibleAlert(service: AlertService, scope: SourceScope, id: string) {
  const doc = await service.get(id);
  if (!doc || !visibleTo(scope, doc.value)) throw new AppError('not_found', `no alert ${id}`);
  return doc.value;
}

/** The body of a resolve, one alert or many: a disposition and a note. */
export function resolveTransition(body: Record<string, unknown>): Transition {
  const disposition = body.disposition;
  if (disposition === undefined || disposition === null) {
    throw new AppError(
      'missing_field',
      `"disposition" is required to resolve: one of ${DISPOSITIONS.join(', ')}`,
      { path: 'disposition' },
    );
  }
  if (
    typeof disposition !== 'string' ||
    !(DISPOSITIONS as readonly string[]).includes(disposition)
  ) {
    throw new AppError('invalid_field', `"disposition" must be one of ${DISPOSITIONS.join(', ')}`, {
      path: 'disposition',
    });
  }
  return {
    action: 'resolve',
    disposition: disposition as (typeof DISPOSITIONS)[number],
    note: textField(body, 'note', 'why it is resolved and what was done'),
  };
}

function textField(body: Record<string, unknown>, name: string, what: string): string {
  const value = body[name];
  if (value === undefined || value === null) {
    throw new AppError('missing_field', `"${name}" is required: ${what}`, { path: name });
  }
  if (
    typeof value !== 'string' ||
    value.trim().length === 0 ||
    value.length > MAX_TEXT_LENGTH ||
    !isCleanText(value)
  ) {
    throw new AppError(
      'invalid_field',
      `"${name}" must be text of 1–${MAX_TEXT_LENGTH} characters (no NUL, no lone surrogates): ${what}`,
      { path: name },
    );
  }
  return value;
}
