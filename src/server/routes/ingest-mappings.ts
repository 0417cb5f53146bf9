import type { FastifyInstance } from 'fastify';
import { mapCsvlogBody, mapJsonBody } from '../../connect/mapping/map-body.js';
import { CSVLOG_MAPPING, MappingRegistry } from '../../connect/mapping/registry.js';
import { toBase64 } from '../../core/bytes.js';
import type { SubmittedRecord } from '../../core/record/types.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { EVENTS_BODY_LIMIT } from './events-schemas.js';
import { type MappingQuery, mappingSchema } from './ingest-schemas.js';

/**
 * POST /api/v1/ingest/:mapping: a log shipper's native records (Fluent Bit, Vector,
 * syslog-ng JSON/NDJSON; PostgreSQL csvlog) through a named mapping into the same append as
 * POST /api/v1/events, as the ingest key's source. `?dedupe=content` (or the mapping's
 * default) derives each id from the record's content, so a shipper's retry is stored once.
 */
export function ingestMappingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const registry = ctx.mappings ?? new MappingRegistry();
  // csvlog text is accepted by this route only.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string' },
      (_req, body, done) => done(null, body),
    );
    mappingRoute(scoped, ctx, registry);
  });
}

function mappingRoute(app: FastifyInstance, ctx: ServerContext, registry: MappingRegistry): void {
  app.post<{ Params: { mapping: string }; Querystring: MappingQuery }>(
    '/api/v1/ingest/:mapping',
    { bodyLimit: EVENTS_BODY_LIMIT, config: { access: 'events.append' }, schema: mappingSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'events.append');
      if (principal.kind !== 'ingest')
        throw new AppError('ingest_key_required', 'only ingest keys append');
      const name = request.params.mapping;
      const named = registry.get(name);
      if (!named) {
        throw new AppError(
          'not_found',
          `no mapping ${JSON.stringify(name)}; known: ${registry.names().join(', ')}`,
          { path: 'mapping' },
        );
      }
      const dedupe = (request.query.dedupe ?? (named.dedupe ? 'content' : 'none')) === 'content';
      const body = request.body;
      if (typeof body !== 'string' || body.length === 0) {
        throw new AppError('empty_body', "request body is empty; send the shipper's records");
      }
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const options = {
        source: principal.source,
        receivedAtMs: ctx.clock.now(),
        mappers: named.mappers,
        dedupe,
      };
      let mapped: { records: SubmittedRecord[]; raw: number };
      if (named.json === undefined) {
        if (type !== 'text/csv' && type !== 'text/plain') {
          throw new AppError(
            'unsupported_media_type',
            `mapping ${CSVLOG_MAPPING} takes csvlog text: send Content-Type text/csv`,
          );
        }
        mapped = mapCsvlogBody(body, options);
      } else {
        if (type !== 'application/json' && type !== 'application/x-ndjson') {
          throw new AppError(
            'unsupported_media_type',
            `mapping ${name} takes JSON: send Content-Type application/json (an object or an array) or application/x-ndjson`,
          );
        }
        mapped = mapJsonBody(
          body,
          type === 'application/json' ? 'json' : 'ndjson',
          named.json,
          options,
        );
      }
      if (mapped.records.length === 0)
        throw new AppError('empty_body', 'the body holds no records');
      const result = await ctx.mappedAppend.append(mapped.records, principal.source, dedupe);
      const entries = result.entries.map((e) => ({
        id: e.id,
        seq: e.seq,
        leaf_hash: toBase64(e.leafHash),
        duplicate: e.duplicate,
      }));
      return reply
        .status(201)
        .send({ mapping: name, raw: mapped.raw, entries, checkpoint: result.checkpoint });
    },
  );
}
