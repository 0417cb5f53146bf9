import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  decodeJsonLogs,
  decodeProtobufLogs,
  encodeLogsResponse,
  OtlpDecodeError,
  type OtlpLogRecord,
} from '../../connect/otlp/decode.js';
import { otlpToRecord } from '../../connect/otlp/to-record.js';
import { CoreError } from '../../core/errors.js';
import { MAX_RECORDS_PER_REQUEST, type SubmittedRecord } from '../../core/record/types.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { toHttpError } from '../http/error-handler.js';
import { EVENTS_BODY_LIMIT } from './events-schemas.js';
import { OTLP_MAX_QUEUED_EVENTS, otlpLogsSchema } from './ingest-schemas.js';

/** Largest body after gunzip (a small gzip body can expand a thousandfold). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Leaves room under the 32 KiB canonical record for id, times and source. */
const MAX_RECORD_JSON_BYTES = 28 * 1024;
const PROTOBUF = 'application/x-protobuf';

/**
 * OTLP/HTTP logs (OpenTelemetry protocol spec, "OTLP/HTTP"): `POST /v1/logs`, binary
 * protobuf or JSON, optionally gzip; authenticated by an ingest key (Bearer). Valid records
 * go through the same append as POST /api/v1/events; invalid ones are counted in
 * `partialSuccess`. Under pressure: 429 (queue full) or 503 (store failing), Retry-After.
 */
export function otlpLogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      [PROTOBUF, 'application/json'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    scoped.post(
      '/v1/logs',
      {
        bodyLimit: EVENTS_BODY_LIMIT,
        config: { access: 'events.append' },
        schema: otlpLogsSchema,
      },
      async (request, reply) => {
        const principal = await ctx.access(request, 'events.append');
        if (principal.kind !== 'ingest')
          throw new AppError('ingest_key_required', 'only ingest keys append');
        const protobuf =
          (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF;
        if (ctx.sequencer.queuedEvents > OTLP_MAX_QUEUED_EVENTS) {
          return backOff(
            reply,
            429,
            1,
            new AppError(
              'log_busy',
              'the log is behind on appends; retry after the delay in Retry-After',
            ),
          );
        }
        const body = inflate(request.body as Buffer, request.headers['content-encoding']);
        let logs: OtlpLogRecord[];
        try {
          logs = protobuf ? await decodeProtobufLogs(body) : decodeJsonLogs(body.toString('utf8'));
        } catch (error) {
          if (error instanceof OtlpDecodeError)
            throw new AppError('invalid_otlp', error.message, { cause: error });
          throw error;
        }
        if (logs.length > MAX_RECORDS_PER_REQUEST) {
          throw new AppError(
            'too_many_records',
            `${logs.length} log records; at most ${MAX_RECORDS_PER_REQUEST} per request: lower the exporter's batch size`,
          );
        }
        const now = ctx.clock.now();
        const accepted: SubmittedRecord[] = [];
        const problems: string[] = [];
        logs.forEach((log, i) => {
          const mapped = otlpToRecord(log, now, principal.source);
          if (!mapped.ok) problems.push(`log record ${i}: ${mapped.error}`);
          else if (Buffer.byteLength(JSON.stringify(mapped.record)) > MAX_RECORD_JSON_BYTES)
            problems.push(
              `log record ${i}: larger than a record may be (32 KiB); shorten the body or attributes`,
            );
          else accepted.push(mapped.record);
        });
        if (accepted.length > 0) {
          try {
            await ctx.sequencer.append(accepted, principal.source);
          } catch (error) {
            if (error instanceof AppError || error instanceof CoreError) throw error;
            request.log.error({ err: error }, 'OTLP append failed');
            return backOff(
              reply,
              503,
              5,
              new AppError(
                'commit_failed',
                'the log could not store the records; retry after the delay in Retry-After',
              ),
            );
          }
        }
        const message =
          problems.slice(0, 5).join('; ') +
          (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
        if (protobuf)
          return reply
            .status(200)
            .type(PROTOBUF)
            .send(Buffer.from(await encodeLogsResponse(problems.length, message)));
        return reply.status(200).send(
          problems.length > 0
            ? {
                partialSuccess: {
                  rejectedLogRecords: String(problems.length),
                  errorMessage: message,
                },
              }
            : {},
        );
      },
    );
  });
}

function inflate(body: Buffer, encoding: string | string[] | undefined): Buffer {
  const e = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  if (e === '' || e === 'identity') return body;
  if (e !== 'gzip')
    throw new AppError(
      'unsupported_encoding',
      `Content-Encoding ${JSON.stringify(e)} is not supported; send gzip or none`,
    );
  try {
    return gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    if (error instanceof RangeError)
      throw new AppError(
        'body_too_large',
        `the body inflates past ${MAX_INFLATED_BYTES} bytes; send smaller batches`,
      );
    throw new AppError('malformed_json', `the body is not valid gzip: ${(error as Error).message}`);
  }
}

function backOff(
  reply: FastifyReply,
  status: 429 | 503,
  seconds: number,
  error: AppError,
): FastifyReply {
  return reply
    .status(status)
    .header('retry-after', String(seconds))
    .type('application/json; charset=utf-8')
    .send(toHttpError(error).body);
}
