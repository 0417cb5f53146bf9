import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/source-scope.js';
import { AppError } from '../../errors.js';
import type { EntryFilter, Store, StoredEntry } from '../../store/store.js';
import type { ServerContext } from '../context.js';
import { readEventSearch, SEARCH_FILTER_PARAMS, type SearchOrder } from '../event-search.js';
import { QueryReader } from '../http/query.js';
import { DEFAULT_FLAG_LIMITS } from '../presenters/entry.js';
import {
  EXPORT_FORMATS,
  entryExportLine,
  exportHeader,
  exportTrailer,
} from '../presenters/entry-export.js';

/** Entries read per store query: memory stays at one page, whatever the export's size. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * GET /api/v1/events/export: every entry the search filters select (within the caller's
 * sources), streamed page by page in the search's order, up to the checkpoint taken when
 * the request came in; that checkpoint is in the `Evident-Checkpoint` header (base64 of the
 * signed note) and in the trailer line. Audited as `audit_log.export` before the first byte.
 */
export function eventExportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/events/export', async (request, reply) => {
    const { principal, scope } = await ctx.accessScoped(request, 'events.export');
    const q = new QueryReader(request.query, [...SEARCH_FILTER_PARAMS, 'format']);
    const format = q.oneOf('format', EXPORT_FORMATS);
    if (format === undefined) {
      throw new AppError('invalid_query', 'query parameter "format" is required: csv or ndjson', {
        path: 'format',
      });
    }
    const search = await readEventSearch(q, scope, ctx.store);
    const head = await ctx.store.head();
    if (!head) throw new AppError('log_not_initialised', 'the log has no checkpoint yet');
    const checkpoint = head.checkpoint;
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.export',
      target: { type: 'events', id: 'export' },
      details: {
        format,
        ...search.described,
        tree_size: checkpoint.size,
        scope: describeScope(scope),
      },
    });
    const filter: Omit<EntryFilter, 'limit'> = {
      ...search.filter,
      toSeq: Math.min(search.filter.toSeq ?? checkpoint.size, checkpoint.size),
    };
    const limits = ctx.sourceSettings ?? DEFAULT_FLAG_LIMITS;
    async function* lines(): AsyncGenerator<string> {
      yield exportHeader(format!);
      let count = 0;
      if (search.neverMatches === undefined) {
        for await (const page of pages(ctx.store, filter, search.order)) {
          let chunk = '';
          for (const entry of page) chunk += entryExportLine(format!, entry, limits);
          count += page.length;
          yield chunk;
        }
      }
      yield exportTrailer(format!, count, checkpoint);
    }
    const name = `evident-events-${checkpoint.size}.${format}`;
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('evident-checkpoint', Buffer.from(checkpoint.note, 'utf8').toString('base64'))
      .header('evident-tree-size', String(checkpoint.size))
      .header('evident-order', search.order)
      .send(Readable.from(lines(), { objectMode: false }));
  });
}

/** Keyset pages in the search's order; each query starts where the last one ended. */
async function* pages(
  store: Store,
  filter: Omit<EntryFilter, 'limit'>,
  order: SearchOrder,
): AsyncGenerator<StoredEntry[]> {
  let position: Pick<EntryFilter, 'before' | 'toSeq'> = {};
  for (;;) {
    const page = await store.search({ ...filter, ...position, limit: EXPORT_PAGE_SIZE });
    if (page.length > 0) yield page;
    if (page.length < EXPORT_PAGE_SIZE) return;
    const last = page[page.length - 1]!;
    position =
      order === 'time' ? { before: { timeMs: last.timeMs, seq: last.seq } } : { toSeq: last.seq };
  }
}
