import { formatVerifier, makeVerifier } from './scram.js';

/**
 * A new gateway secret and the only form of it that is stored: PostgreSQL's SCRAM-SHA-256
 * verifier (192 random bits, so the 4096 PBKDF2 iterations are not what protects it).
 */
export function newGatewaySecret(random: (n: number) => Buffer): {
  secret: string;
  verifier: string;
} {
  const secret = `evg_${random(24).toString('base64url')}`;
  return { secret, verifier: formatVerifier(makeVerifier(secret, random(16))) };
}
