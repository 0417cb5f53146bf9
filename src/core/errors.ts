/**
 * The one error type of the pure core. Callers branch on `code`, never on the message;
 * the server maps codes to HTTP statuses in exactly one place.
 */
export type CoreErrorCode =
  | 'MALFORMED_JSON' // body is not JSON / NDJSON, or breaks JCS hygiene (duplicate keys…)
  | 'INVALID_RECORD' // a record field is missing, of the wrong type or out of range
  | 'RECORD_TOO_LARGE' // canonical record over the cap
  | 'TOO_MANY_RECORDS' // more events in one request than accepted
  | 'INVALID_ARGUMENT' // a tree size, index or range that cannot be right
  | 'INVALID_PROOF' // a proof that does not verify
  | 'ROOT_MISMATCH' // recomputed root differs from the expected one
  | 'MALFORMED_NOTE' // a signed note or checkpoint that does not parse
  | 'MALFORMED_KEY' // a verifier or signer key string that does not parse
  | 'UNKNOWN_KEY' // no signature by a key the verifier trusts
  | 'INVALID_SIGNATURE'; // a signature by a trusted key that does not verify

export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: CoreErrorCode;
  /** JSON path of the offending field ("$[3].actor.id"), where there is one. */
  readonly path: string | undefined;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options?.path;
  }
}

export function isCoreError(error: unknown, code?: CoreErrorCode): error is CoreError {
  return error instanceof CoreError && (code === undefined || error.code === code);
}
