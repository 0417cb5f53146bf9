import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/authorization/source-scope.js';
import { formatEntry, type StreamFormat } from '../../connect/siem/stream-format.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { STREAM_DEFAULT_HEARTBEAT_S, type StreamQuery, streamSchema } from './events-schemas.js';

/** Other processes' appends (PostgreSQL) are noticed within this; ours wake us at once. */
const STREAM_POLL_MS = 1_000;

/**
 * GET /api/v1/events/stream: the log as it grows, for a SIEM. Chunked NDJSON, or server-sent
 * events when the client accepts text/event-stream (each event's `id:` is its seq, so
 * EventSource resumes with Last-Event-ID). Resumable from any seq; long-lived; ends cleanly
 * when the server shuts down (the consumer reconnects with the last seq it got).
 */
export function streamRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.abort();
  });

  app.get<{ Querystring: StreamQuery }>(
    '/api/v1/events/stream',
    { config: { access: 'events.export' }, schema: streamSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'events.export');
      const format: StreamFormat = request.query.format ?? 'ndjson';
      const follow = (request.query.follow ?? 'true') === 'true';
      const heartbeatS = request.query.heartbeat ?? STREAM_DEFAULT_HEARTBEAT_S;
      const sse = (request.headers.accept ?? '').includes('text/event-stream');
      const lastEventId = request.headers['last-event-id'];
      let after = request.query.after;
      if (sse && lastEventId !== undefined) {
        if (typeof lastEventId !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(lastEventId)) {
          throw new AppError(
            'invalid_request',
            'Last-Event-ID must be the seq of the last event received',
            {
              path: 'Last-Event-ID',
            },
          );
        }
        // EventSource resends the original URL: the header is the newer position.
        after = Number(lastEventId);
      }
      const from = after === undefined ? 0 : after + 1;
      // A one-off stream ends at the head as it is now, before its own audit event lands.
      const until = follow ? undefined : await ctx.log.size();

      // Audited before the first byte: the stream is one export, with its parameters.
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'audit_log.stream',
        details: {
          after: after ?? null,
          format,
          follow,
          transport: sse ? 'sse' : 'ndjson',
          scope: describeScope(scope),
        },
      });

      const stop = new AbortController();
      open.add(stop);
      reply.raw.once('close', () => stop.abort());
      const items = ctx.log.follow({
        from,
        ...(until === undefined ? {} : { until }),
        scope,
        onCommitted: (wake) => ctx.sequencer.onCommitted(wake),
        pollMs: STREAM_POLL_MS,
        heartbeatMs: heartbeatS * 1000,
        signal: stop.signal,
      });
      async function* lines(): AsyncGenerator<string> {
        try {
          for await (const item of items) {
            if ('heartbeat' in item) {
              yield sse ? ': keep-alive\n\n' : '\n';
              continue;
            }
            const text = formatEntry(item.entry, format);
            yield sse ? `id: ${item.entry.seq}\ndata: ${text}\n\n` : `${text}\n`;
          }
        } finally {
          open.delete(stop);
        }
      }
      return reply
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .type(sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .send(Readable.from(lines(), { highWaterMark: 16 }));
    },
  );
}
