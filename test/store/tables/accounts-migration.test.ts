/**
 * Migration 5 on a data folder made by schema version 4 (test/fixtures/data-folder-v4/): every
 * account and approval document becomes rows that read back as the same records, the lookup
 * documents go, the four-eyes document stays, and the API answers as before. SQLite through
 * the real `evident serve` on a copy; PostgreSQL from the same documents (state-docs.json)
 * loaded into a schema at version 4.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AccountDirectory, type AccountRecord } from '../../../src/access/accounts/accounts.js';
import { type ApprovalRecord, approvalStatus } from '../../../src/access/admin/approval.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { approvalById } from '../../../src/store/tables/accounts/approvals-table.js';
import { copyDataDir, killAllChildren, startServe, tempDir } from '../../support/processes.js';
import { pgSchemaAtV4 } from '../../support/schema-v4.js';
import { PG_ENABLED } from '../../support/stores.js';

const fixture = join(import.meta.dirname, '../../fixtures/data-folder-v4');
const TOKEN = 'eva_fixture-bootstrap-token-0123456789abcdef';
const PASSWORD = 'correct horse battery staple';

interface StateDoc {
  kind: string;
  id: string;
  value: string;
  version: number;
  updated_at_ms: number;
}

const docs = JSON.parse(readFileSync(join(fixture, 'state-docs.json'), 'utf8')) as StateDoc[];
const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
const accountDocs = ofKind('account').map((d) => JSON.parse(d.value) as AccountRecord);
const approvalDocs = ofKind('approval').map((d) => JSON.parse(d.value) as ApprovalRecord);

/** Every moved document reads back, through the repositories, as the record it was. */
async function assertMoved(store: Store): Promise<void> {
  const accounts = new AccountDirectory(store);
  assert.equal(accountDocs.length, 8);
  for (const doc of accountDocs) {
    assert.deepEqual(await accounts.get(doc.id), {
      ...doc,
      credentialsSetBy: doc.credentialsSetBy ?? [],
    });
    assert.equal((await accounts.findByName(doc.name))?.id, doc.id, `${doc.name} by name`);
  }
  const olga = accountDocs.find((a) => a.name === 'olga')!;
  assert.equal((await accounts.findByOidc(olga.oidc!.issuer, olga.oidc!.subject))?.id, olga.id);
  assert.deepEqual(
    (await accounts.list()).map((a) => a.id),
    accountDocs.map((a) => a.id).sort(),
  );
  assert.equal(approvalDocs.length, 4);
  for (const doc of approvalDocs) {
    assert.deepEqual(await approvalById(store.state, doc.id), doc);
  }
}

describe('migration 5 on the schema-version-4 data folder: SQLite, through evident serve', () => {
  const copy = copyDataDir(join(fixture, 'data'), tempDir('evident-v4-accounts-'));
  after(async () => {
    await killAllChildren();
    rmSync(copy, { recursive: true, force: true });
  });

  it('answers the principal and approval routes as before', async () => {
    const server = await startServe({ dataDir: copy, adminToken: TOKEN, timeoutMs: 60_000 });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const list = (await (
        await fetch(`${server.url}/api/v1/principals`, { headers: auth })
      ).json()) as {
        principals: {
          id: string;
          name: string;
          kind: string;
          roles: unknown;
          disabled: boolean;
          sign_in: { password: boolean; oidc: unknown };
        }[];
      };
      assert.deepEqual(
        list.principals.map((p) => [
          p.name,
          p.kind,
          p.roles,
          p.disabled,
          p.sign_in.password,
          p.sign_in.oidc,
        ]),
        [...accountDocs]
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .map((a) => [
            a.name,
            a.kind,
            a.grants.map((g) => ({ role: g.role, sources: g.sources ?? null })),
            a.disabled,
            a.passwordHash !== null,
            a.oidc,
          ]),
      );
      const admins = (await (
        await fetch(`${server.url}/api/v1/principals?role=admin`, { headers: auth })
      ).json()) as { principals: { name: string }[] };
      assert.deepEqual(admins.principals.map((p) => p.name).sort(), ['grace', 'henry']);

      const approvals = (await (
        await fetch(`${server.url}/api/v1/approvals?status=all`, { headers: auth })
      ).json()) as { approvals: { id: string; change: string; status: string }[] };
      const now = Date.now();
      assert.deepEqual(
        approvals.approvals.map((a) => [a.id, a.change, a.status]),
        [...approvalDocs]
          .sort((a, b) => (a.id < b.id ? 1 : -1))
          .map((a) => [a.id, a.change, approvalStatus(a, now)]),
      );
    } finally {
      await server.stop();
    }
  });

  it('left rows for every document, no lookup documents, and the four-eyes document', async () => {
    const store = SqliteStore.open(join(copy, 'evident.db'));
    try {
      await assertMoved(store);
      const kinds = new Set<string>();
      for await (const page of store.scanState(500)) for (const d of page) kinds.add(d.kind);
      for (const gone of ['account', 'account_name', 'account_oidc', 'approval']) {
        assert.equal(kinds.has(gone), false, `no ${gone} documents left`);
      }
      assert.equal(kinds.has('four_eyes'), true);
    } finally {
      await store.close();
    }
  });

  it('signs a person in with the password set before the migration', async () => {
    const server = await startServe({ dataDir: copy, adminToken: TOKEN, timeoutMs: 60_000 });
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'grace', password: PASSWORD }),
      });
      assert.equal(login.status, 200);
    } finally {
      await server.stop();
    }
  });
});

// Without a PostgreSQL server stores.ts has already warned that only SQLite was checked.
if (PG_ENABLED)
  describe('migration 5 on the schema-version-4 documents: PostgreSQL', () => {
    it('moves every account and approval document into rows that read back the same', async () => {
      const target = await pgSchemaAtV4(docs);
      const store = await PostgresStore.open(target.url, { schema: target.schema });
      try {
        await assertMoved(store);
        const kinds = new Set<string>();
        for await (const page of store.scanState(500)) for (const d of page) kinds.add(d.kind);
        assert.equal(kinds.has('account'), false);
        assert.equal(kinds.has('account_name'), false);
        assert.equal(kinds.has('approval'), false);
        assert.equal(kinds.has('four_eyes'), true);
      } finally {
        await store.close();
        await target.drop();
      }
    });
  });
