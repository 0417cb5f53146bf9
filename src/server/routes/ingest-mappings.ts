import type { FastifyInstance } from 'fastify';
import { mapCsvlogBody, mapJsonBody } from '../../connect/mapping/map-body.js';
import { CSVLOG_MAPPING, MappingRegistry } from '../../connect/mapping/registry.js';
import { toBase64 } from '../../core/bytes.js';
import type { SubmittedRecord } from '../../core/record/types.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { QueryReader } from '../http/query.js';
import { EVENTS_BODY_LIMIT } from './events.js';

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
  app.post<{ Params: { mapping: string } }>(
    '/api/v1/ingest/:mapping',
    { bodyLimit: EVENTS_BODY_LIMIT },
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
          {
            path: 'mapping',
          },
        );
      }
      const q = new QueryReader(request.query, ['dedupe']);
      const dedupe =
        (q.oneOf('dedupe', ['content', 'none'] as const) ?? (named.dedupe ? 'content' : 'none')) ===
        'content';
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

      // With content ids, a retry's records may be stored already: answer those from the
      // store (and repeats inside the request once), append only the rest.
      let fresh = mapped.records;
      const stored = new Map<string, { seq: number; leafHash: Uint8Array }>();
      if (dedupe) {
        const ids = [...new Set(mapped.records.map((r) => r.id!))];
        for (const [id, e] of await ctx.store.entriesByIds(ids)) stored.set(id, e);
        const seen = new Set<string>();
        fresh = mapped.records.filter((r) => {
          if (stored.has(r.id!) || seen.has(r.id!)) return false;
          seen.add(r.id!);
          return true;
        });
      }
      let checkpoint: string;
      let entries: { id: string; seq: number; leaf_hash: string; duplicate: boolean }[];
      const result =
        fresh.length > 0 ? await ctx.sequencer.append(fresh, principal.source) : undefined;
      if (result) {
        checkpoint = result.checkpoint;
      } else {
        const head = await ctx.store.head();
        if (!head) throw new AppError('internal', 'records are stored but the log has no head');
        checkpoint = head.checkpoint.note;
      }
      const view = (e: { id: string; seq: number; leafHash: Uint8Array }, duplicate: boolean) => ({
        id: e.id,
        seq: e.seq,
        leaf_hash: toBase64(e.leafHash),
        duplicate,
      });
      if (!dedupe) {
        entries = (result?.entries ?? []).map((e) => view(e, e.duplicate));
      } else {
        const appended = new Map((result?.entries ?? []).map((e) => [e.id, e]));
        const answered = new Set<string>();
        entries = mapped.records.map((r) => {
          const id = r.id!;
          const a = appended.get(id);
          const first = a !== undefined && !answered.has(id);
          answered.add(id);
          return first ? view(a, a.duplicate) : view({ id, ...(a ?? stored.get(id)!) }, true);
        });
      }
      return reply.status(201).send({ mapping: name, raw: mapped.raw, entries, checkpoint });
    },
  );
}
