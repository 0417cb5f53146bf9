import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { loadAdminToken } from '../../src/access/authentication/admin-token.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import { createIngestKey } from '../../src/access/credentials/ingest-keys.js';
import type { Grant, Role } from '../../src/access/principal.js';
import { createSignIn, type SignIn, type SignInOptions } from '../../src/access/sign-in/sign-in.js';
import { formatVerifierKey } from '../../src/core/note.js';
import { dataPaths } from '../../src/data-folder.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { buildApp } from '../../src/server/app.js';
import { ManualClock } from '../../src/util/clock.js';
import { loadOrCreateSecretBox, type SecretBox } from '../../src/util/secret-box.js';
import { accountRecord } from './accounts.js';

export const TEST_ORIGIN = 'evident.test/log';
export const ADMIN_TOKEN = 'eva_test-admin-token-0123456789abcdef';
/** A stand-in dashboard build, so route tests do not depend on `npm run build`. */
export const WEB_FIXTURE = fileURLToPath(new URL('./web-fixture', import.meta.url));
export const START_MS = Date.parse('2026-11-22T09:00:00.000Z');

export interface TestServer {
  dir: string;
  app: FastifyInstance;
  log: OpenLog;
  clock: ManualClock;
  admin: { authorization: string };
  /** Sessions, lock-out and OpenID sign-in as the app uses them. */
  signIn: SignIn;
  /** The data folder's secrets key (seals notification secrets), as the server uses it. */
  secrets: SecretBox;
  /** Creates an ingest key for `source`; returns its Authorization header. */
  ingestKey(source: string): Promise<{ authorization: string; id: string }>;
  /**
   * Makes an account straight in the store (no four-eyes: a fixture, not a request) and an
   * API token for it; returns its Authorization header.
   */
  principal(options?: PrincipalOptions): Promise<TestPrincipal>;
  close(): Promise<void>;
}

export interface PrincipalOptions {
  /** Role names or grants; default none. */
  roles?: (Role | Grant)[];
  /** Limits every role given by name (not admin) to these source patterns. */
  sources?: string[];
  kind?: 'person' | 'service';
  /** Default `test-principal-N`. */
  id?: string;
  name?: string;
  /** Narrows the token to these roles; default all of the account's. */
  tokenRoles?: Role[];
  /** Token lifetime from the test clock's now; default one day. */
  tokenTtlMs?: number;
  disabled?: boolean;
}

export interface TestPrincipal {
  id: string;
  name: string;
  authorization: string;
  headers: { authorization: string };
  tokenId: string;
}

export function tempDir(prefix = 'evident-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real server (SQLite in a temp folder) driven in-process with app.inject(). */
export async function testServer(
  options: { dir?: string; signIn?: SignInOptions; webRoot?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? tempDir();
  const clock = new ManualClock(START_MS);
  const log = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
  const adminToken = loadAdminToken(dataPaths(dir).adminToken, ADMIN_TOKEN);
  const signIn = createSignIn(log.store, options.signIn);
  const secrets = loadOrCreateSecretBox(dataPaths(dir).secretsKey);
  // Every JSON answer of a schema-first route must match the response schema it declares;
  // a mismatch fails the test file when its server closes.
  const responseProblems: string[] = [];
  const app = buildApp(
    {
      store: log.store,
      sequencer: log.sequencer,
      origin: log.origin,
      verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
      adminToken,
      clock,
      audit: new SelfAudit(log.sequencer, log.origin, clock),
      secrets,
      sessions: signIn.sessions,
      signIn,
      webRoot: options.webRoot ?? WEB_FIXTURE,
    },
    { checkResponses: (problem) => responseProblems.push(problem) },
  );
  await app.ready();
  const accounts = new AccountDirectory(log.store);
  const tokens = new ApiTokens(log.store.state);
  let made = 0;
  return {
    dir,
    app,
    log,
    clock,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signIn,
    secrets,
    ingestKey: async (source) => {
      const created = await createIngestKey(log.store, clock, source);
      return { authorization: `Bearer ${created.key}`, id: created.row.id };
    },
    principal: async (options = {}) => {
      made++;
      const id = options.id ?? `test-principal-${made}`;
      const name = options.name ?? `${options.kind ?? 'person'}-${made}`;
      const grants = (options.roles ?? []).map((r): Grant => {
        if (typeof r !== 'string') return r;
        return options.sources && r !== 'admin'
          ? { role: r, sources: options.sources }
          : { role: r };
      });
      await accounts.create(
        accountRecord(id, grants, {
          kind: options.kind ?? 'person',
          name,
          disabled: options.disabled ?? false,
          createdAtMs: clock.now(),
        }),
      );
      const created = await tokens.create({
        accountId: id,
        label: 'test',
        roles: options.tokenRoles ?? null,
        expiresAtMs: clock.now() + (options.tokenTtlMs ?? 24 * 3600 * 1000),
        createdBy: 'test',
        nowMs: clock.now(),
      });
      const authorization = `Bearer ${created.token}`;
      return { id, name, authorization, headers: { authorization }, tokenId: created.record.id };
    },
    close: async () => {
      await app.close();
      await log.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(responseProblems, [], 'answers that do not match their response schema');
    },
  };
}

/** app.inject with a JSON body; asserts nothing. */
export async function call(
  t: TestServer,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await t.app.inject({
    method,
    url,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined
      ? {}
      : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return res;
}

/** A valid event; override any field. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-123', type: 'user', name: 'Ada', ip: '10.0.0.7' },
    action: 'customer.read',
    target: { type: 'customer', id: 'c-9', sensitivity: 'restricted' },
    outcome: 'success',
    ...overrides,
  };
}
