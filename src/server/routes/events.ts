import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorize.js';
import { isReservedSource } from '../../access/ingest-keys.js';
import { describeScope, inScope } from '../../access/source-scope.js';
import { toBase64 } from '../../core/bytes.js';
import { parseSubmittedRecords } from '../../core/record/parse-body.js';
import { OUTCOMES } from '../../core/record/types.js';
import { normaliseId } from '../../core/record/validate.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { entryJson, entryListJson } from '../presenters/entry.js';
import { QueryReader } from '../query.js';

/** Largest accepted ingest body; MAX_RECORDS_PER_REQUEST bounds the count separately. */
export const EVENTS_BODY_LIMIT = 10 * 1024 * 1024;
const SEARCH_PARAMS = [
  'actor',
  'action',
  'target',
  'target_type',
  'outcome',
  'source',
  'from',
  'to',
  'limit',
  'cursor',
];
export const SEARCH_DEFAULT_LIMIT = 100;
export const SEARCH_MAX_LIMIT = 1000;

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/events', { bodyLimit: EVENTS_BODY_LIMIT }, async (request, reply) => {
    const principal = await ctx.access(request, 'events.append');
    if (principal.kind !== 'ingest') throw new AppError('forbidden', 'only ingest keys append');
    // A key made for a look-alike of the log's own source before names were reserved.
    if (isReservedSource(principal.source)) {
      throw new AppError(
        'forbidden',
        `this key's source "${principal.source}" is reserved for the log's own events; revoke the key and make one for another name`,
      );
    }
    const body = request.body;
    if (typeof body !== 'string' || body.length === 0) {
      throw new AppError(
        'bad_request',
        'request body is empty; send one event, a JSON array, or NDJSON',
      );
    }
    const ndjson = (request.headers['content-type'] ?? '').startsWith('application/x-ndjson');
    const records = parseSubmittedRecords(body, ndjson ? 'ndjson' : 'json', {
      boundSource: principal.source,
    });
    const result = await ctx.sequencer.append(records, principal.source);
    const entries = result.entries.map((e) => ({
      id: e.id,
      seq: e.seq,
      leaf_hash: toBase64(e.leafHash),
    }));
    return reply.status(201).send({ entries, checkpoint: result.checkpoint });
  });

  app.get('/api/v1/events', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'events.read');
    const q = new QueryReader(request.query, SEARCH_PARAMS);
    const filters = {
      actor: q.string('actor'),
      action: q.string('action'),
      target: q.string('target'),
      targetType: q.string('target_type'),
      outcome: q.oneOf('outcome', OUTCOMES),
      source: q.string('source'),
    };
    const fromMs = q.timestamp('from');
    const toMs = q.timestamp('to');
    const limit = q.integer('limit', { min: 1, max: SEARCH_MAX_LIMIT }) ?? SEARCH_DEFAULT_LIMIT;
    const cursorText = q.string('cursor', 64);
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
      throw new AppError('bad_request', 'query parameter "from" must not be after "to"', {
        path: 'from',
      });
    }

    // received_at never decreases along the log, so a time range is a seq range.
    const fromSeq =
      fromMs === undefined ? undefined : await ctx.store.firstSeqReceivedAtOrAfter(fromMs);
    let toSeq =
      toMs === undefined ? undefined : await ctx.store.firstSeqReceivedAtOrAfter(toMs + 1);
    if (cursor !== undefined) toSeq = toSeq === undefined ? cursor : Math.min(toSeq, cursor);
    const entries = await ctx.store.search({
      ...definedOnly(filters),
      ...(scope.all ? {} : { sources: { exact: scope.exact, prefixes: scope.prefixes } }),
      fromSeq,
      toSeq,
      limit,
    });
    const last = entries[entries.length - 1];
    const nextCursor =
      entries.length === limit && last && last.seq > (fromSeq ?? 0) ? encodeCursor(last.seq) : null;

    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.search',
      details: {
        ...definedOnly({
          ...filters,
          from: q.string('from'),
          to: q.string('to'),
          cursor: cursorText,
        }),
        limit,
        returned: entries.length,
        scope: describeScope(scope),
      },
    });
    return reply
      .type('application/json; charset=utf-8')
      .send(
        entryListJson(entries, { next_cursor: nextCursor }, ctx.sourceSettings?.maxClockSkewMs),
      );
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'events.read');
    new QueryReader(request.query, []);
    const id = normaliseId(request.params.id);
    if (id === undefined) {
      throw new AppError(
        'bad_request',
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
    return reply
      .type('application/json; charset=utf-8')
      .send(entryJson(entry, ctx.sourceSettings?.maxClockSkewMs));
  });
}

function definedOnly<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
