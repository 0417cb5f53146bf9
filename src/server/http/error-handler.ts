import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CoreError, type CoreErrorCode } from '../../core/errors.js';
import { categoryOf, type ErrorReason } from '../../error-reasons.js';
import { AppError, type AppErrorCode } from '../../errors.js';

const APP_STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  gone: 410,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

const CORE_STATUS: Record<CoreErrorCode, number> = {
  MALFORMED_JSON: 400,
  INVALID_RECORD: 400,
  RECORD_TOO_LARGE: 413,
  TOO_MANY_RECORDS: 413,
  INVALID_ARGUMENT: 400,
  INVALID_PROOF: 400,
  ROOT_MISMATCH: 400,
  MALFORMED_NOTE: 400,
  MALFORMED_KEY: 400,
  UNKNOWN_KEY: 400,
  INVALID_SIGNATURE: 400,
};

/** Each core code is also a reason (lower-cased); the response's code stays as it was. */
const CORE_REASON: Record<CoreErrorCode, ErrorReason> = {
  MALFORMED_JSON: 'malformed_json',
  INVALID_RECORD: 'invalid_record',
  RECORD_TOO_LARGE: 'record_too_large',
  TOO_MANY_RECORDS: 'too_many_records',
  INVALID_ARGUMENT: 'invalid_argument',
  INVALID_PROOF: 'invalid_proof',
  ROOT_MISMATCH: 'root_mismatch',
  MALFORMED_NOTE: 'malformed_note',
  MALFORMED_KEY: 'malformed_key',
  UNKNOWN_KEY: 'unknown_key',
  INVALID_SIGNATURE: 'invalid_signature',
};

/** Fastify's own 4xx errors, named by our stable reasons. */
const FASTIFY_REASONS: Record<string, ErrorReason> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
};
const FASTIFY_STATUS_REASONS: Record<number, ErrorReason> = {
  404: 'route_not_found',
  413: 'body_too_large',
  415: 'unsupported_media_type',
};

export interface ErrorBody {
  error: { code: string; reason: ErrorReason; message: string; path?: string };
}

/** Turns any error into `{"error":{"code","message","path"?}}`: the only place that does. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return {
      status: APP_STATUS[error.code],
      body: errorBody(error.code, error.reason, error.message, error.path),
    };
  }
  if (error instanceof CoreError) {
    return {
      status: CORE_STATUS[error.code],
      body: errorBody(error.code.toLowerCase(), CORE_REASON[error.code], error.message, error.path),
    };
  }
  const fastify = error as Partial<FastifyError>;
  const status = fastify.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const reason =
      FASTIFY_REASONS[fastify.code ?? ''] ?? FASTIFY_STATUS_REASONS[status] ?? 'invalid_request';
    const code = categoryOf(reason);
    return { status, body: errorBody(code, reason, describeFastifyError(fastify)) };
  }
  // Not ours and not the client's: a bug or a failing dependency. Its message and stack may
  // name files, queries or secrets, so the body says nothing of them (the log has them).
  return {
    status: 500,
    body: errorBody('internal', 'internal', 'internal error; the server log has the details'),
  };
}

function describeFastifyError(error: Partial<FastifyError>): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is larger than this endpoint accepts; send fewer events per request';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported Content-Type; send application/json or application/x-ndjson';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty';
    default:
      return error.message ?? 'bad request';
  }
}

function errorBody(code: string, reason: ErrorReason, message: string, path?: string): ErrorBody {
  return {
    error: path === undefined ? { code, reason, message } : { code, reason, message, path },
  };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        errorBody(
          'not_found',
          'route_not_found',
          `no route ${request.method} ${request.url.split('?')[0]}; see /api/v1/openapi.json`,
        ),
      );
  });
}
