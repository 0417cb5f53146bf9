import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from './test-server.js';

/** A fresh, empty store of one kind; `dispose` closes and deletes it. */
export interface StoreFactory {
  name: string;
  create(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

/**
 * PostgreSQL runs when EVIDENT_TEST_PG_URL names a server (e.g.
 * postgres://postgres@127.0.0.1:5432/test). Without it a developer's run skips it loudly; CI
 * (CI=true) must not skip, so there the run fails, as it does when the server is unreachable.
 */
const PG_URL = process.env.EVIDENT_TEST_PG_URL || undefined;
const IN_CI = process.env.CI === 'true';

/** True when the PostgreSQL tests should run (and fail if they cannot). */
export const PG_ENABLED = PG_URL !== undefined || IN_CI;

if (!PG_ENABLED) {
  console.warn(
    '⚠️  PostgreSQL store tests SKIPPED: EVIDENT_TEST_PG_URL is not set (e.g. EVIDENT_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test); only SQLite was checked.',
  );
}

/** A new, uniquely named schema on the test server, so concurrent runs never share data. */
export async function freshPgSchema(): Promise<{
  url: string;
  schema: string;
  drop(): Promise<void>;
}> {
  if (PG_URL === undefined) {
    throw new Error(
      'CI=true but EVIDENT_TEST_PG_URL is not set: the PostgreSQL store tests must run in CI',
    );
  }
  const url = PG_URL;
  const schema = `evident_test_${randomBytes(6).toString('hex')}`;
  return {
    url,
    schema,
    drop: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Every Store adapter the conformance suite runs against. */
export const STORES: StoreFactory[] = [
  {
    name: 'sqlite',
    create: async () => {
      const dir = tempDir('evident-store-');
      const store = SqliteStore.open(join(dir, 'evident.db'));
      return {
        store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          create: async () => {
            const target = await freshPgSchema();
            const store = await PostgresStore.open(target.url, { schema: target.schema });
            return {
              store,
              dispose: async () => {
                await store.close();
                await target.drop();
              },
            };
          },
        },
      ]
    : []),
];
