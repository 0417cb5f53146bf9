import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import {
  cliHandoffById,
  deleteCliHandoff,
  deleteExpiredCliHandoffs,
  insertCliHandoff,
} from '../../store/tables/credentials/cli-handoffs-table.js';
import { newSecret } from '../credentials/secrets.js';

/**
 * `evident login --oidc`: the browser signs in at the OpenID provider as usual, and the
 * callback, instead of starting a browser session, sends a one-time code to the CLI's
 * listener on loopback (RFC 8252 §7.3). The CLI trades the code, with the verifier behind
 * the challenge it chose (RFC 7636, S256), for an API token. A code is bound to that
 * challenge, used once, and lives a minute: one seen by someone else is worth nothing
 * without the verifier, which never left the CLI.
 */
export interface CliHandoffRequest {
  /** http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path>: the CLI's listener. */
  redirect: string;
  /** BASE64URL(SHA-256(verifier)). */
  challenge: string;
  /** Echoed back to the listener, which checks it (a code it did not ask for is refused). */
  state: string;
}

export const CLI_HANDOFF_TTL_MS = 60_000;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const STATE = /^[A-Za-z0-9_-]{16,128}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** The CLI's parameters from the start URL; a 400 naming the parameter when one is wrong. */
export function parseCliHandoff(query: {
  redirect: string | undefined;
  challenge: string | undefined;
  state: string | undefined;
}): CliHandoffRequest | undefined {
  const { redirect, challenge, state } = query;
  if (redirect === undefined && challenge === undefined && state === undefined) return undefined;
  if (redirect === undefined || !isLoopbackListener(redirect)) {
    throw new AppError(
      'invalid_field',
      '"cli_redirect" must be the CLI\'s listener on loopback: http://127.0.0.1:<port>/… or http://[::1]:<port>/…, with no query',
      { path: 'cli_redirect' },
    );
  }
  if (challenge === undefined || !CHALLENGE.test(challenge)) {
    throw new AppError(
      'invalid_field',
      '"cli_challenge" must be BASE64URL(SHA-256(verifier)), 43 characters',
      { path: 'cli_challenge' },
    );
  }
  if (state === undefined || !STATE.test(state)) {
    throw new AppError('invalid_field', '"cli_state" must be 16–128 base64url characters', {
      path: 'cli_state',
    });
  }
  return { redirect, challenge, state };
}

/** An IP-literal loopback http URL with an explicit port (RFC 8252 §7.3, §8.3: not "localhost"). */
function isLoopbackListener(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === '[::1]') &&
    url.port !== '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === ''
  );
}

/** The one-time codes (table cli_handoffs, under the SHA-256 of the code). */
export class CliHandoffs {
  constructor(private readonly state: QueryRunner) {}

  /**
   * A fresh one-time code for `accountId`, bound to the CLI's challenge, stored in `tx` (the
   * sign-in's transaction, with its event). `id` names the hand-off in events (a prefix of
   * the code's hash, which does not reveal the code).
   */
  async issueWithin(
    tx: QueryRunner,
    accountId: string,
    challenge: string,
    nowMs: number,
  ): Promise<{ code: string; id: string }> {
    const code = newSecret();
    await insertCliHandoff(tx, {
      id: hash(code),
      principalId: accountId,
      challenge,
      expiresAtMs: nowMs + CLI_HANDOFF_TTL_MS,
    });
    return { code, id: handoffId(code) };
  }

  /** A code stored on its own, with no event (tests). */
  issue(
    accountId: string,
    challenge: string,
    nowMs: number,
  ): Promise<{ code: string; id: string }> {
    return this.issueWithin(this.state, accountId, challenge, nowMs);
  }

  /**
   * The account a code was issued for, if the verifier matches its challenge. The code is
   * deleted before anything is checked, so a wrong verifier burns it too.
   */
  async redeem(
    code: string,
    verifier: string,
    nowMs: number,
  ): Promise<{ accountId: string; id: string }> {
    const refused = new AppError(
      'invalid_credentials',
      'unknown, used or expired sign-in code, or a verifier that does not match; run `evident login --oidc` again',
    );
    if (code.length > 256 || !VERIFIER.test(verifier)) throw refused;
    const row = await cliHandoffById(this.state, hash(code));
    // Only the request that deletes it may use it: two racing redeems cannot both win.
    if (!row || (await deleteCliHandoff(this.state, row.id)) !== 1) throw refused;
    const expected = Buffer.from(row.challenge);
    const got = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    if (row.expiresAtMs <= nowMs || got.length !== expected.length) throw refused;
    if (!timingSafeEqual(got, expected)) throw refused;
    return { accountId: row.principalId, id: handoffId(code) };
  }

  /** Deletes codes nobody redeemed (one statement). */
  async purgeExpired(nowMs: number): Promise<void> {
    await deleteExpiredCliHandoffs(this.state, nowMs);
  }
}

const handoffId = (code: string) => hash(code).slice(0, 16);

function hash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}
