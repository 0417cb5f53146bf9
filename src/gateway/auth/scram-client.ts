import { constantTimeEqual, hmac, parseAttributes, saltedPassword, sha256, xor } from './scram.js';

/** The client side of SCRAM-SHA-256, for the gateway's own connection upstream. */
export class ScramClient {
  private readonly clientFirstBare: string;
  private serverSignature: Buffer = Buffer.alloc(0);

  constructor(
    private readonly password: string,
    private readonly clientNonce: string,
  ) {
    this.clientFirstBare = `n=,r=${clientNonce}`;
  }

  clientFirst(): string {
    return `n,,${this.clientFirstBare}`;
  }

  clientFinal(serverFirst: string): string {
    const attrs = parseAttributes(serverFirst);
    const nonce = attrs.get('r') ?? '';
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (
      !nonce.startsWith(this.clientNonce) ||
      salt.length === 0 ||
      !Number.isSafeInteger(iterations)
    )
      throw new Error('upstream sent an invalid SCRAM server-first-message');
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = saltedPassword(this.password, salt, iterations);
    const clientKey = hmac(salted, 'Client Key');
    const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server's signature: the upstream proves it knows the verifier too. */
  verifyServerFinal(serverFinal: string): void {
    const v = Buffer.from(parseAttributes(serverFinal).get('v') ?? '', 'base64');
    if (!constantTimeEqual(v, this.serverSignature))
      throw new Error('upstream SCRAM server signature does not match: wrong server or password');
  }
}
