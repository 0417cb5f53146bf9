import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CLI_HANDOFF_TTL_MS,
  CliHandoffs,
  parseCliHandoff,
} from '../../src/access/sign-in/cli-handoff.js';
import { AppError } from '../../src/errors.js';
import { START_MS, type TestServer, testServer } from '../support/test-server.js';

const VERIFIER = 'v'.repeat(43);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

const refused = (error: unknown) => error instanceof AppError && error.code === 'unauthorized';

describe('CLI sign-in hand-off codes', () => {
  let t: TestServer;
  let codes: CliHandoffs;
  before(async () => {
    t = await testServer();
    codes = new CliHandoffs(t.log.store.state);
  });
  after(async () => {
    await t.close();
  });

  it('redeems a code once, with the verifier behind its challenge', async () => {
    const { code, id } = await codes.issue('acct-1', CHALLENGE, START_MS);
    assert.deepEqual(await codes.redeem(code, VERIFIER, START_MS + 1000), {
      accountId: 'acct-1',
      id,
    });
    await assert.rejects(codes.redeem(code, VERIFIER, START_MS + 2000), refused);
  });

  it('refuses a code after its minute, and burns it on a wrong verifier', async () => {
    const late = await codes.issue('acct-1', CHALLENGE, START_MS);
    await assert.rejects(codes.redeem(late.code, VERIFIER, START_MS + CLI_HANDOFF_TTL_MS), refused);
    const guessed = await codes.issue('acct-1', CHALLENGE, START_MS);
    await assert.rejects(codes.redeem(guessed.code, 'w'.repeat(43), START_MS), refused);
    await assert.rejects(codes.redeem(guessed.code, VERIFIER, START_MS), refused);
  });

  it('purges codes nobody redeemed', async () => {
    const { code } = await codes.issue('acct-2', CHALLENGE, START_MS);
    await codes.purgeExpired(START_MS + CLI_HANDOFF_TTL_MS);
    await assert.rejects(codes.redeem(code, VERIFIER, START_MS), refused);
  });

  it('takes the CLI parameters all together or not at all', () => {
    const none = { redirect: undefined, challenge: undefined, state: undefined };
    assert.equal(parseCliHandoff(none), undefined);
    const good = {
      redirect: 'http://[::1]:4711/callback',
      challenge: CHALLENGE,
      state: 's'.repeat(16),
    };
    assert.deepEqual(parseCliHandoff(good), good);
    for (const [field, value, path] of [
      ['redirect', undefined, 'cli_redirect'],
      ['redirect', 'http://127.0.0.1:4711/callback#x', 'cli_redirect'],
      ['challenge', 'short', 'cli_challenge'],
      ['state', 'short', 'cli_state'],
      ['state', undefined, 'cli_state'],
    ] as const) {
      assert.throws(
        () => parseCliHandoff({ ...good, [field]: value }),
        (e: unknown) => e instanceof AppError && e.path === path,
        `${field}=${value}`,
      );
    }
  });
});
