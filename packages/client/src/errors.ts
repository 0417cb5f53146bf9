/** Stable codes a caller can branch on; tests assert the code, not the message. */
export type ClientErrorCode =
  | 'invalid_record'
  | 'queue_full'
  | 'closed'
  | 'rejected'
  | 'unreachable'
  | 'server_error'
  | 'spool_corrupt'
  | 'bad_verifier_key'
  | 'bad_checkpoint'
  | 'bad_signature'
  | 'no_proof'
  | 'proof_mismatch';

export class EvidentClientError extends Error {
  override readonly name = 'EvidentClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: {
      cause?: unknown;
      status?: number;
      path?: string;
      serverCode?: string;
      serverReason?: string;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.path = options.path;
    this.serverCode = options.serverCode;
    this.serverReason = options.serverReason;
  }
  /** The server's own error code (`invalid_record`, `unauthorized`…) when it answered one. */
  readonly serverCode: string | undefined;
  /**
   * The server's precise reason (`event_id_conflict`, `source_reserved`…; its docs/api.md
   * lists them), when it answered one: servers from before reasons send only the code.
   */
  readonly serverReason: string | undefined;
  /** The HTTP status when the server answered. */
  readonly status: number | undefined;
  /** Where in the batch the server found the problem (`$[3].actor.id`). */
  readonly path: string | undefined;
}
