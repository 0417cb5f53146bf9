import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorization/authorize.js';
import { describeScope, inScope } from '../../access/authorization/source-scope.js';
import { isReservedSource } from '../../access/credentials/ingest-keys.js';
import { toBase64 } from '../../core/bytes.js';
import { parseSubmittedRecords } from '../../core/record/parse-body.js';
import { normaliseId } from '../../core/record/validate.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { entryJson, entryListJson } from '../presenters/entry.js';
import {
  type AppendQuery,
  appendSchema,
  EVENTS_BODY_LIMIT,
  eventByIdSchema,
  SEARCH_DEFAULT_LIMIT,
  type SearchQuery,
  searchSchema,
} from './events-schemas.js';

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Querystring: AppendQuery }>(
    '/api/v1/events',
    { bodyLimit: EVENTS_BODY_LIMIT, config: { access: 'events.append' }, schema: appendSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'events.append');
      if (principal.kind !== 'ingest')
        throw new AppError('ingest_key_required', 'only ingest keys append');
      // A key made for a look-alike of the log's own source before names were reserved.
      if (isReservedSource(principal.source)) {
        throw new AppError(
          'key_source_reserved',
          `this key's source "${principal.source}" is reserved for the log's own events; revoke the key and make one for another name`,
        );
      }
      // A declared backfill: recorded in each record (docs/api.md, "Historical imports").
      const historical = request.query.historical === 'true';
      const body = request.body;
      if (typeof body !== 'string' || body.length === 0) {
        throw new AppError(
          'empty_body',
          'request body is empty; send one event, a JSON array, or NDJSON',
        );
      }
      const ndjson = (request.headers['content-type'] ?? '').startsWith('application/x-ndjson');
      const records = parseSubmittedRecords(body, ndjson ? 'ndjson' : 'json', {
        boundSource: principal.source,
      });
      const result = await ctx.sequencer.append(records, principal.source, { historical });
      // Proofs against the returned checkpoint let the sender verify its own events without
      // a reading role (the client library's verify()); opt-in, as each costs O(log n) reads.
      const proofs =
        request.query.proof === 'inclusion'
          ? await ctx.log.inclusionProofs(
              result.entries.map((e) => e.seq),
              result.treeSize,
            )
          : undefined;
      const entries = result.entries.map((e, i) => ({
        id: e.id,
        seq: e.seq,
        leaf_hash: toBase64(e.leafHash),
        // A retry or a re-import is answered, not stored twice; say which entries were new.
        already_stored: e.duplicate,
        ...(proofs ? { inclusion: proofs[i]!.map(toBase64) } : {}),
      }));
      // Committed before the wait: a timeout answers witnessed: false, never an error.
      const witnessing = ctx.witnessedAck;
      const witnessed = witnessing ? await witnessing.wait(result.treeSize) : undefined;
      return reply.status(201).send({
        entries,
        checkpoint: result.checkpoint,
        ...(witnessing ? { witnessed: witnessed !== undefined } : {}),
        ...(witnessed ? { witnessed_checkpoint: witnessed.note } : {}),
      });
    },
  );

  app.get<{ Querystring: SearchQuery }>(
    '/api/v1/events',
    { config: { access: 'events.read' }, schema: searchSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'events.read');
      const { limit = SEARCH_DEFAULT_LIMIT, cursor, ...filters } = request.query;
      const plan = await ctx.search.plan(filters, scope);
      const page = await ctx.search.page(plan, limit, cursor);
      const extra: Record<string, unknown> = { next_cursor: page.nextCursor, order: plan.order };
      if (plan.neverMatches !== undefined) extra.never_matches = plan.neverMatches;
      // The page is serialised while the writer commits the search's trace.
      const body = await ctx.audit.recordWhile(
        {
          principal,
          ip: request.ip,
          action: 'audit_log.search',
          details: {
            ...plan.described,
            ...(cursor === undefined ? {} : { cursor }),
            limit,
            returned: page.entries.length,
            scope: describeScope(scope),
          },
        },
        () => entryListJson(page.entries, extra, ctx.entryFlags),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/events/:id',
    { config: { access: 'events.read' }, schema: eventByIdSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'events.read');
      const id = normaliseId(request.params.id);
      if (id === undefined) {
        throw new AppError(
          'invalid_event_id',
          'event id must be a ULID (26 characters) or a UUID (8-4-4-4-12 hex)',
          { path: 'id' },
        );
      }
      const entry = await ctx.log.entryById(id);
      const outside = entry !== undefined && !inScope(scope, entry.source);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'audit_log.read',
        target: { type: 'event', id },
        ...(outside ? { outcome: 'denied', reason: "outside the reader's sources" } : {}),
        details: { found: entry !== undefined && !outside, scope: describeScope(scope) },
      });
      if (!entry) throw new AppError('not_found', `no event ${id}`);
      // Outside a scoped grant the answer is the same 404 as for a missing event.
      authorize(principal, 'events.read', { type: 'event', id, source: entry.source });
      const purge = await ctx.log.purgeOf(entry);
      if (purge) {
        const purgeSeq = purge.purgeSeq;
        throw new AppError(
          'payload_purged',
          `the payload of event ${id} (seq ${entry.seq}) was purged by retention: the retention.purge event at seq ${purgeSeq ?? 'unknown'} covers it; its leaf hash still proves it was in the log`,
        );
      }
      return reply.type('application/json; charset=utf-8').send(entryJson(entry, ctx.entryFlags));
    },
  );
}
