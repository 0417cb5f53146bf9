import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { authorize } from '../../access/authorization/authorize.js';
import type { Principal } from '../../access/principal.js';
import { type DefinitionBody, parseDefinition } from '../../review/definition-input.js';
import type { ReviewActor } from '../../review/review-service.js';
import type { AccessDecision, Decision, OccurrenceStatus } from '../../review/review-types.js';
import type { ServerContext } from '../context.js';
import {
  definitionJson,
  logItemJson,
  occurrenceJson,
  reviewNoteJson,
} from '../presenters/review.js';
import {
  correctSchema,
  countersignSchema,
  createDefinitionSchema,
  decideSchema,
  listDefinitionsSchema,
  listOccurrencesSchema,
  observeSchema,
  occurrenceItemsSchema,
  readDefinitionSchema,
  readOccurrenceSchema,
  signOffSchema,
  startOccurrenceSchema,
  updateDefinitionSchema,
} from './reviews-schemas.js';

type Id = { Params: { id: string } };

/**
 * Scheduled log and access reviews (docs/reviews.md): definitions (reviews.manage), their
 * occurrences and items (reviews.read, scoped by the review's sources), and working them
 * (reviews.sign_off). Each route makes one call to the review service.
 */
export function reviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Reviews are worked by people and services; adminActor refuses an ingest key.
  const actor = (principal: Principal, request: FastifyRequest): ReviewActor =>
    adminActor(principal, request.ip);

  app.get(
    '/api/v1/reviews',
    { config: { access: 'reviews.read' }, schema: listDefinitionsSchema },
    async (request) => {
      const { scope } = await ctx.accessScoped(request, 'reviews.read');
      return { reviews: (await ctx.reviews.definitions(scope)).map(definitionJson) };
    },
  );

  app.post<{ Body: DefinitionBody }>(
    '/api/v1/reviews',
    { config: { access: 'reviews.manage' }, schema: createDefinitionSchema },
    async (request) => {
      const principal = await ctx.access(request, 'reviews.manage');
      const spec = parseDefinition(request.body);
      return definitionJson(await ctx.reviews.define(spec, actor(principal, request)));
    },
  );

  app.get<{ Querystring: OccurrenceQuery }>(
    '/api/v1/reviews/occurrences',
    { config: { access: 'reviews.read' }, schema: listOccurrencesSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, 'reviews.read');
      const q = request.query;
      const definition =
        q.definition !== undefined ? await ctx.reviews.definition(q.definition, scope) : undefined;
      const found = await ctx.reviews.occurrences(
        {
          ...(definition ? { definitionId: definition.id } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
          ...(q.from !== undefined ? { fromMs: Date.parse(q.from) } : {}),
          ...(q.to !== undefined ? { toMs: Date.parse(q.to) } : {}),
          limit: q.limit ?? 100,
        },
        scope,
        { principal, ip: request.ip },
      );
      const now = ctx.clock.now();
      return { occurrences: found.map((o) => occurrenceJson(o, now)) };
    },
  );

  app.get<Id>(
    '/api/v1/reviews/occurrences/:id',
    { config: { access: 'reviews.read' }, schema: readOccurrenceSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, 'reviews.read');
      const view = await ctx.reviews.occurrence(request.params.id, scope, {
        principal,
        ip: request.ip,
      });
      const o = view.occurrence;
      return {
        ...occurrenceJson(o, ctx.clock.now()),
        notes: view.notes.map(reviewNoteJson),
        snapshot: o.pin?.snapshot ? (JSON.parse(o.pin.snapshot) as Record<string, unknown>) : null,
      };
    },
  );

  app.get<Id & { Querystring: { offset?: number; limit?: number } }>(
    '/api/v1/reviews/occurrences/:id/items',
    { config: { access: 'reviews.read' }, schema: occurrenceItemsSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, 'reviews.read');
      const offset = request.query.offset ?? 0;
      const { occurrence, items } = await ctx.reviews.logItems(
        request.params.id,
        { offset, limit: request.query.limit ?? 100 },
        scope,
        { principal, ip: request.ip },
      );
      return { total: occurrence.pin?.itemCount ?? 0, offset, items: items.map(logItemJson) };
    },
  );

  app.get<Id>(
    '/api/v1/reviews/:id',
    { config: { access: 'reviews.read' }, schema: readDefinitionSchema },
    async (request) => {
      const { scope } = await ctx.accessScoped(request, 'reviews.read');
      return definitionJson(await ctx.reviews.definition(request.params.id, scope));
    },
  );

  app.put<Id & { Body: DefinitionBody }>(
    '/api/v1/reviews/:id',
    { config: { access: 'reviews.manage' }, schema: updateDefinitionSchema },
    async (request) => {
      const principal = await ctx.access(request, 'reviews.manage');
      const spec = parseDefinition(request.body);
      return definitionJson(
        await ctx.reviews.update(request.params.id, spec, actor(principal, request)),
      );
    },
  );

  const work = 'reviews.sign_off' as const;

  app.post<Id>(
    '/api/v1/reviews/occurrences/:id/start',
    { config: { access: work }, schema: startOccurrenceSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      const o = await ctx.reviewWork.start(request.params.id, scope, actor(principal, request));
      return occurrenceJson(o, ctx.clock.now());
    },
  );

  app.post<Id & { Body: { item: string; note: string; open_alert?: boolean } }>(
    '/api/v1/reviews/occurrences/:id/observations',
    { config: { access: work }, schema: observeSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      const { item, note, open_alert } = request.body;
      const made = await ctx.reviewWork.observe(
        request.params.id,
        { item, note, openAlert: open_alert ?? false },
        scope,
        actor(principal, request),
      );
      return reviewNoteJson(made);
    },
  );

  app.post<
    Id & { Body: { item: string; decision: AccessDecision; roles?: unknown; note: string } }
  >(
    '/api/v1/reviews/occurrences/:id/decisions',
    { config: { access: work }, schema: decideSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      // Revoking or changing roles is principal administration: the reviewer needs it too.
      if (request.body.decision !== 'keep') authorize(principal, 'principals.manage');
      const by = adminActor(principal, request.ip);
      const made = await ctx.reviewWork.decide(request.params.id, request.body, scope, by);
      return reviewNoteJson(made);
    },
  );

  app.post<Id & { Body: { decision: Decision; notes?: string } }>(
    '/api/v1/reviews/occurrences/:id/sign-off',
    { config: { access: work }, schema: signOffSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      const o = await ctx.reviewWork.signOff(
        request.params.id,
        { decision: request.body.decision, notes: request.body.notes ?? '' },
        scope,
        actor(principal, request),
      );
      return occurrenceJson(o, ctx.clock.now());
    },
  );

  app.post<Id & { Body: { notes?: string } }>(
    '/api/v1/reviews/occurrences/:id/countersign',
    { config: { access: work }, schema: countersignSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      const o = await ctx.reviewWork.countersign(
        request.params.id,
        { notes: request.body?.notes ?? '' },
        scope,
        actor(principal, request),
      );
      return occurrenceJson(o, ctx.clock.now());
    },
  );

  app.post<Id & { Body: { decision: Decision; notes: string } }>(
    '/api/v1/reviews/occurrences/:id/corrections',
    { config: { access: work }, schema: correctSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, work);
      const made = await ctx.reviewWork.correct(
        request.params.id,
        request.body,
        scope,
        actor(principal, request),
      );
      return reviewNoteJson(made);
    },
  );
}

interface OccurrenceQuery {
  definition?: string;
  status?: OccurrenceStatus;
  from?: string;
  to?: string;
  limit?: number;
}
