import {
  constantTimeEqual,
  hmac,
  parseAttributes,
  type ScramVerifier,
  sha256,
  xor,
} from './scram.js';

/** Why a SCRAM exchange failed; the session answers 28P01 whatever the reason. */
export class ScramError extends Error {
  override readonly name = 'ScramError';
}

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 §5), without channel binding
 * (the gateway offers SCRAM-SHA-256 only, not -PLUS). With no verifier (unknown person),
 * it runs a mock exchange with a made-up salt and always fails at the proof, so a client
 * cannot tell an unknown name from a wrong secret.
 */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    private readonly verifier: ScramVerifier | undefined,
    private readonly mockSalt: Buffer,
    private readonly serverNonce: string,
  ) {}

  /** Takes client-first-message, returns server-first-message. */
  start(clientFirst: string): string {
    const gs2 = /^([ny]),,(.*)$/s.exec(clientFirst);
    if (!gs2)
      throw new ScramError(
        'client-first-message: channel binding is not offered, expected "n,," or "y,,"',
      );
    this.clientFirstBare = gs2[2]!;
    const attrs = parseAttributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce))
      throw new ScramError('client-first-message: missing or invalid nonce');
    this.nonce = clientNonce + this.serverNonce;
    const salt = this.verifier?.salt ?? this.mockSalt;
    const iterations = this.verifier?.iterations ?? 4096;
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    return this.serverFirst;
  }

  /** Takes client-final-message; returns server-final-message, or throws when the proof is wrong. */
  finish(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt === -1) throw new ScramError('client-final-message: missing proof');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = parseAttributes(withoutProof);
    if (attrs.get('r') !== this.nonce) throw new ScramError('client-final-message: nonce mismatch');
    const binding = attrs.get('c');
    if (binding !== 'biws' && binding !== 'eSws')
      throw new ScramError('client-final-message: unexpected channel binding');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    if (!this.verifier || proof.length !== 32) throw new ScramError('authentication failed');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientKey = xor(proof, hmac(this.verifier.storedKey, authMessage));
    if (!constantTimeEqual(sha256(clientKey), this.verifier.storedKey))
      throw new ScramError('authentication failed');
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
