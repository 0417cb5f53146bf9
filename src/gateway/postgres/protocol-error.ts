/** A peer broke the wire protocol; the session answers with SQLSTATE 08P01 and closes. */
export type ProtocolErrorCode = 'malformed' | 'message_too_large' | 'unexpected_message';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
