import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorize.js';
import { isReservedSource } from '../../access/ingest-keys.js';
import { describeScope, inScope } from '../../access/source-scope.js';
import { toBase64 } from '../../core/bytes.js';
import { parseSubmittedRecords } from '../../core/record/parse-body.js';
import { normaliseId } from '../../core/record/validate.js';
import { AppError } from '../../errors.js';
import { inclusionProofs } from '../../log/proofs.js';
import type { ServerContext } from '../context.js';
import { encodeCursor } from '../cursor.js';
import { pagePosition, readEventSearch, SEARCH_FILTER_PARAMS } from '../event-search.js';
import { QueryReader } from '../http/query.js';
import { entryJson, entryListJson } from '../presenters/entry.js';

/** Largest accepted ingest body; MAX_RECORDS_PER_REQUEST bounds the count separately. */
export const EVENTS_BODY_LIMIT = 10 * 1024 * 1024;
const SEARCH_PARAMS = [...SEARCH_FILTER_PARAMS, 'limit', 'cursor'];
export const SEARCH_DEFAULT_LIMIT = 100;
export const SEARCH_MAX_LIMIT = 1000;

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/events', { bodyLimit: EVENTS_BODY_LIMIT }, async (request, reply) => {
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
    const query = new QueryReader(request.query, ['historical', 'proof']);
    const historical = query.oneOf('historical', ['true', 'false']) === 'true';
    const withProof = query.oneOf('proof', ['inclusion']);
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
    const proofs = withProof
      ? await inclusionProofs(
          ctx.store,
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
    return reply.status(201).send({ entries, checkpoint: result.checkpoint });
  });

  app.get('/api/v1/events', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'events.read');
    const q = new QueryReader(request.query, SEARCH_PARAMS);
    const search = await readEventSearch(q, scope, ctx.store);
    const limit = q.integer('limit', { min: 1, max: SEARCH_MAX_LIMIT }) ?? SEARCH_DEFAULT_LIMIT;
    const cursorText = q.string('cursor', 64);
    const position = pagePosition(search.order, cursorText);
    const { filter } = search;
    const toSeq =
      position.toSeq === undefined
        ? filter.toSeq
        : Math.min(position.toSeq, filter.toSeq ?? Number.MAX_SAFE_INTEGER);
    const entries =
      search.neverMatches !== undefined
        ? []
        : await ctx.store.search({
            ...filter,
            ...(toSeq === undefined ? {} : { toSeq }),
            ...(position.before ? { before: position.before } : {}),
            limit,
          });
    const last = entries[entries.length - 1];
    let nextCursor: string | null = null;
    if (entries.length === limit && last) {
      if (search.order === 'time')
        nextCursor = encodeCursor({ timeMs: last.timeMs, seq: last.seq });
      else if (last.seq > (filter.fromSeq ?? 0)) nextCursor = encodeCursor({ seq: last.seq });
    }

    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.search',
      details: {
        ...search.described,
        ...(cursorText === undefined ? {} : { cursor: cursorText }),
        limit,
        returned: entries.length,
        scope: describeScope(scope),
      },
    });
    const extra: Record<string, unknown> = { next_cursor: nextCursor, order: search.order };
    if (search.neverMatches !== undefined) extra.never_matches = search.neverMatches;
    return reply
      .type('application/json; charset=utf-8')
      .send(entryListJson(entries, extra, ctx.sourceSettings));
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'events.read');
    new QueryReader(request.query, []);
    const id = normaliseId(request.params.id);
    if (id === undefined) {
      throw new AppError(
        'invalid_event_id',
        'event id must be a ULID (26 characters) or a UUID (8-4-4-4-12 hex)',
        {
          path: 'id',
        },
      );
    }
    const entry = await ctx.store.entryById(id);
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
    return reply.type('application/json; charset=utf-8').send(entryJson(entry, ctx.sourceSettings));
  });
}
