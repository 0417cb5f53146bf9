/**
 * Migration 6 on a data folder made by schema version 4 (test/fixtures/data-folder-v4/): every
 * credential document becomes a row with the same meaning, none is left in `state`, and the
 * API answers as before. SQLite opens a copy of the fixture; PostgreSQL gets a schema at
 * version 4 loaded with the same documents (state-docs.json), then opens it.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadAdminToken } from '../../../src/access/authentication/admin-token.js';
import { formatVerifierKey } from '../../../src/core/note.js';
import { dataPaths } from '../../../src/data-folder.js';
import { openLog } from '../../../src/log/open-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { buildApp } from '../../../src/server/app.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { Store } from '../../../src/store/store.js';
import { apiTokenById } from '../../../src/store/tables/credentials/api-tokens-table.js';
import { cliHandoffById } from '../../../src/store/tables/credentials/cli-handoffs-table.js';
import { oidcFlowById } from '../../../src/store/tables/credentials/oidc-flows-table.js';
import { sessionById } from '../../../src/store/tables/credentials/sessions-table.js';
import { ManualClock } from '../../../src/util/clock.js';
import { loadOrCreateSecretBox } from '../../../src/util/secret-box.js';
import { copyDataDir } from '../../support/processes.js';
import { pgSchemaAtV4 } from '../../support/schema-v4.js';
import { PG_ENABLED } from '../../support/stores.js';
import { tempDir } from '../../support/test-server.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/data-folder-v4');
const CREDENTIAL_KINDS = ['api_token', 'session', 'oidc_flow', 'cli_handoff'];
const ADMIN = 'eva_migration-test-admin-token-0123456789';
/** An hour after the fixture was made: its tokens are live, its sessions idle-expired. */
const NOW_MS = 1_796_286_235_528 + 3_600_000;
const TRIAGE = '01M8XG1ES9CEF6V0NNPT68EWZE';
const RITA = '01M8XG1E1YZCVCZ2NHMGHQ7JZW';

interface Doc {
  kind: string;
  id: string;
  value: string;
  version: number;
  updated_at_ms: number;
}

const docs = JSON.parse(readFileSync(join(FIXTURE, 'state-docs.json'), 'utf8')) as Doc[];
const ofKind = (kind: string) =>
  docs
    .filter((d) => d.kind === kind)
    .map((d) => ({ id: d.id, version: d.version, v: JSON.parse(d.value) }));

/** Every credential document of the fixture, read back through the repositories. */
async function assertMoved(store: Store): Promise<void> {
  const q = store.state;
  const tokens = ofKind('api_token');
  assert.equal(tokens.length, 6);
  for (const { id, version, v } of tokens) {
    assert.deepEqual(await apiTokenById(q, id), {
      id,
      principalId: v.accountId,
      secretHash: v.secretHash,
      label: v.label,
      roles: v.roles,
      createdAtMs: v.createdAtMs,
      createdBy: v.createdBy,
      expiresAtMs: v.expiresAtMs,
      revokedAtMs: v.revokedAtMs,
      revokedBy: v.revokedBy,
      lastUsedAtMs: null,
      awaitingApproval: v.awaitingApproval === true,
      version,
    });
  }
  const sessions = ofKind('session');
  assert.equal(sessions.length, 3);
  for (const { id, version, v } of sessions) {
    const row = await sessionById(q, id);
    assert.ok(row, id);
    assert.deepEqual(
      [row.principalId, row.method, row.createdAtMs, row.lastSeenAtMs, row.ip, row.userAgent],
      [v.accountId, v.method, v.createdAtMs, v.lastSeenAtMs, v.ip, v.userAgent],
    );
    assert.equal(row.version, version);
    assert.equal(row.expiresAtMs, v.lastSeenAtMs + 30 * 60_000, 'the default idle expiry');
  }
  const [flow] = ofKind('oidc_flow');
  assert.deepEqual(await oidcFlowById(q, flow!.id), {
    id: flow!.id,
    nonce: flow!.v.nonce,
    codeVerifier: flow!.v.codeVerifier,
    returnTo: flow!.v.returnTo,
    browserHash: flow!.v.browserHash,
    cli: null,
    createdAtMs: flow!.v.createdAtMs,
    expiresAtMs: flow!.v.expiresAtMs,
  });
  const [handoff] = ofKind('cli_handoff');
  assert.deepEqual(await cliHandoffById(q, handoff!.id), {
    id: handoff!.id,
    principalId: handoff!.v.accountId,
    challenge: handoff!.v.challenge,
    expiresAtMs: handoff!.v.expiresAtMs,
  });
  const left = await q.all(
    q.db.selectFrom('state').select('kind').where('kind', 'in', CREDENTIAL_KINDS),
  );
  assert.deepEqual(left, [], 'no credential document is left in state');
}

describe('migration 6 on the schema-version-4 fixture: sqlite', () => {
  const copy = copyDataDir(join(FIXTURE, 'data'), tempDir('evident-creds-v4-'));
  const clock = new ManualClock(NOW_MS);
  let log: Awaited<ReturnType<typeof openLog>>;
  let app: ReturnType<typeof buildApp>;
  before(async () => {
    log = await openLog({ dataDir: copy, clock });
    app = buildApp({
      store: log.store,
      sequencer: log.sequencer,
      origin: log.origin,
      verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
      adminToken: loadAdminToken(dataPaths(copy).adminToken, ADMIN),
      clock,
      audit: new SelfAudit(log.sequencer, log.origin, clock),
      secrets: loadOrCreateSecretBox(dataPaths(copy).secretsKey),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await log.close();
    rmSync(copy, { recursive: true, force: true });
  });

  it('moves every credential document into its table', async () => {
    await assertMoved(log.store);
  });

  it('answers token listings as before the move', async () => {
    const list = async (id: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/principals/${id}/tokens`,
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().tokens as { label: string; status: string }[]).map((t) => [
        t.label,
        t.status,
      ]);
    };
    assert.deepEqual(await list(TRIAGE), [
      ['triage-bot', 'active'],
      ['triage-bot-2', 'awaiting_approval'],
    ]);
    assert.deepEqual(await list(RITA), [
      ['old-laptop', 'revoked'],
      ['laptop', 'active'],
    ]);
  });
});

// Like the store suite: PostgreSQL runs when EVIDENT_TEST_PG_URL is set (and must in CI).
if (PG_ENABLED)
  describe('migration 6 on the schema-version-4 documents: postgresql', () => {
    let target: Awaited<ReturnType<typeof pgSchemaAtV4>>;
    let store: PostgresStore;
    before(async () => {
      target = await pgSchemaAtV4(docs);
      store = await PostgresStore.open(target.url, { schema: target.schema });
    });
    after(async () => {
      await store?.close();
      await target?.drop();
    });

    it('moves every credential document into its table', async () => {
      await assertMoved(store);
    });
  });
