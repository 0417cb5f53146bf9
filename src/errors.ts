import { categoryOf, type ErrorReason } from './error-reasons.js';

/**
 * Errors of the application layer (access, sequencing, routes). Each names a precise
 * `reason` (src/error-reasons.ts); `code` is the reason's HTTP category, kept in responses
 * for clients that matched on it first. Callers and tests branch on `reason`;
 * src/server/http/error-handler.ts is the one place that turns them into HTTP statuses.
 */
export type AppErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly reason: ErrorReason;
  readonly code: AppErrorCode;
  readonly path: string | undefined;

  constructor(reason: ErrorReason, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.code = categoryOf(reason);
    this.path = options?.path;
  }
}
