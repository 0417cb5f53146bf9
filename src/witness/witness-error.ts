/**
 * A refusal of the tlog-witness protocol. Each kind has the HTTP status c2sp.org/tlog-witness
 * gives it; the server translates them in one place.
 */
export type WitnessErrorKind =
  | 'malformed' // 400: the body does not parse, or old size > checkpoint size
  | 'untrusted' // 403: no signature by a key the witness trusts for that origin
  | 'unknown_log' // 404: the witness does not witness this origin
  | 'conflict' // 409: old size is not the witness's size, or same size with another root
  | 'bad_proof' // 422: the consistency proof does not verify
  | 'rate_limited'; // 429: this log submits faster than the witness allows

export const WITNESS_STATUS: Record<WitnessErrorKind, number> = {
  malformed: 400,
  untrusted: 403,
  unknown_log: 404,
  conflict: 409,
  bad_proof: 422,
  rate_limited: 429,
};

export class WitnessError extends Error {
  override readonly name = 'WitnessError';

  constructor(
    readonly kind: WitnessErrorKind,
    message: string,
    /** For a conflict: the size the witness holds; for rate_limited: ms until it may retry. */
    readonly detail?: number,
  ) {
    super(message);
  }
}
