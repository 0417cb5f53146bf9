import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/authorization/source-scope.js';
import { isCleanText } from '../../core/record/validate.js';
import { AppError } from '../../errors.js';
import { type AlertRecord, MAX_TEXT_LENGTH } from '../../monitor/alerts/alert.js';
import { snapshotOf } from '../../monitor/alerts/alert-events.js';
import type { AlertFilter } from '../../monitor/alerts/alert-filter.js';
import { alertForScope } from '../../monitor/alerts/alert-scope.js';
import { isAlertId } from '../../monitor/alerts/alert-service.js';
import type { Transition } from '../../monitor/alerts/lifecycle.js';
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
import {
  ALERTS_DEFAULT_LIMIT,
  ALERTS_MAX_LIMIT,
  alertMetricsSchema,
  exportAlertsSchema,
  FILTER_PARAMS,
  listAlertsSchema,
  readAlertSchema,
  STEP_SCHEMAS,
} from './alerts-schemas.js';

type Params = { Params: { id: string } };

/**
 * Alerts and their handling (docs/api.md "Alerts"). Reading is
 * `alerts.read`, handling `alerts.handle`; a scoped grant sees an alert when any of its
 * sources is in scope, and any other alert is a 404 as if it did not exist. Every handling
 * step is an `alert.*` event in the log, and exports are audited as `alert.export`.
 */
export function alertRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // A plugin, so the OpenAPI generator (registered before it) sees each route's schema.
  void app.register(async (scoped) => alertRoutesOn(scoped, ctx));
}

function alertRoutesOn(app: FastifyInstance, ctx: ServerContext): void {
  const service = ctx.alerts;

  const read = { config: { access: 'alerts.read' as const } };
  app.get('/api/v1/alerts', { ...read, schema: listAlertsSchema }, async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
    const q = new QueryReader(validatedQuery(request.query), [...FILTER_PARAMS, 'limit', 'cursor']);
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
      scope,
      limit,
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

  app.get(
    '/api/v1/alerts/export',
    { ...read, schema: exportAlertsSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
      const q = new QueryReader(validatedQuery(request.query), [...FILTER_PARAMS, 'format']);
      const format = q.oneOf('format', ['ndjson', 'csv'] as const) ?? 'ndjson';
      const filter = await resolveAssigneeFilter(ctx.accounts, readFilter(q));
      const found = await service.exportAll(filter, scope);
      // Recorded before anything is sent: an export is never served without its trace.
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'alert.export',
        target: { type: 'alerts', id: 'export' },
        details: {
          format,
          ...filterDetails(q),
          count: found.count,
          ...(found.firstId !== null ? { first_id: found.firstId } : {}),
          ...(found.lastId !== null ? { last_id: found.lastId } : {}),
        },
      });
      // Oldest first, as a file of records is read; streamed page by page, however many match.
      const line =
        format === 'csv'
          ? (a: AlertRecord) => csvLine(alertCsvRow(alertForScope(a, scope)))
          : (a: AlertRecord) => `${JSON.stringify(alertJson(alertForScope(a, scope)))}\n`;
      async function* lines() {
        if (format === 'csv') yield csvLine(ALERT_CSV_COLUMNS);
        for await (const page of found.pages) yield page.map(line).join('');
      }
      const body = Readable.from(lines());
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="alerts.csv"')
          .send(body);
      }
      return reply.type('application/x-ndjson; charset=utf-8').send(body);
    },
  );

  app.get('/api/v1/alerts/metrics', { ...read, schema: alertMetricsSchema }, async (request) => {
    const { scope } = await ctx.accessScoped(request, 'alerts.read');
    const q = new QueryReader(validatedQuery(request.query), ['from', 'to', 'rule', 'source']);
    const filter = readFilter(q);
    return alertMetricsJson(await service.metrics(filter, scope), {
      fromMs: filter.fromMs,
      toMs: filter.toMs,
    });
  });

  app.get<Params>('/api/v1/alerts/:id', { ...read, schema: readAlertSchema }, async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'alerts.read');
    const id = alertId(request.params.id);
    let alert: AlertRecord | undefined;
    try {
      alert = await service.visible(id, scope);
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
    url: keyof typeof STEP_SCHEMAS,
    fields: readonly string[],
    parse: (body: Record<string, unknown>) => Transition,
  ) =>
    app.post<Params>(
      `/api/v1/alerts/:id/${url}`,
      { config: { access: 'alerts.handle' }, schema: STEP_SCHEMAS[url] },
      async (request) => {
        const { principal, scope } = await ctx.accessScoped(request, 'alerts.handle');
        const id = alertId(request.params.id);
        const transition = parse(
          jsonObjectBody(request.body, fields, { optional: fields.length === 0 }),
        );
        const handled = await service.handle(
          id,
          transition,
          snapshotOf(principal, request.ip),
          scope,
        );
        return alertJson(
          alertForScope(handled, scope),
          await assigneeNames(ctx.accounts, [handled]),
        );
      },
    );

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
  // An account id or sign-in name; AlertService checks it may handle the alert.
  step('assign', ['assignee'], (body) => {
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
  });
}

/**
 * The query as the route's schema let it through, as text again: the schema checked names,
 * types and ranges; the readers below turn values into a filter with the same answers (and
 * wording) the API always gave.
 */
export function validatedQuery(query: unknown): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries((query ?? {}) as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'number' ? String(v) : (v as string | string[]),
    ]),
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
  const eventSeq = q.integer('event_seq', { min: 0 });
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
  if (eventSeq !== undefined) filter.eventSeq = eventSeq;
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
