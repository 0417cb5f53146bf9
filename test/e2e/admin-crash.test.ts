/**
 * A state change and its event cannot part (issue: "a crash between a state change and its
 * event cannot leave one without the other"): concurrent clients make admin changes against a
 * real `evident serve`, which is SIGKILLed in the middle of them and started again. Then every
 * principal has its principal.create event and every such event its principal; every
 * reviewer grant its principal.role_grant event and back; every four-eyes request its
 * approval.request event and back. On SQLite, and on PostgreSQL when it is configured.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { approvalsByStatus } from '../../src/store/tables/accounts/approvals-table.js';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN } from '../support/http.js';
import { killAllChildren, startServe, tempDir } from '../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';

const WORKERS = 6;
/** Answers to wait for before the kill, so it lands in the middle of a steady load. */
const ANSWERS_BEFORE_KILL = 40;

interface Target {
  name: string;
  /** Environment for serve, and the store to read afterwards. */
  prepare(dir: string): Promise<{
    env: Record<string, string>;
    open(): Promise<Store>;
    drop(): Promise<void>;
  }>;
}

const TARGETS: Target[] = [
  {
    name: 'sqlite',
    prepare: async (dir) => ({
      env: {},
      open: async () => SqliteStore.open(join(dir, 'evident.db')),
      drop: async () => {},
    }),
  },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          prepare: async () => {
            const pg = await freshPgSchema();
            return {
              env: { EVIDENT_DATABASE_URL: `${pg.url}?schema=${pg.schema}` },
              open: async () => PostgresStore.open(pg.url, { schema: pg.schema }),
              drop: pg.drop,
            };
          },
        },
      ]
    : []),
];

async function call(url: string, method: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** One client's admin changes, until the server dies: create, grant reviewer, ask for admin. */
async function adminLoad(
  url: string,
  worker: number,
  done: () => boolean,
  progress: { answered: number },
): Promise<number> {
  let answered = 0;
  for (let n = 0; !done(); n++) {
    try {
      const name = `w${worker}-${n}`;
      const create = await fetch(`${url}/api/v1/principals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'person', name }),
      });
      const { principal } = (await create.json()) as { principal: { id: string } };
      answered++;
      progress.answered++;
      const roles = n % 3 === 0 ? ['admin', 'reviewer'] : ['reviewer'];
      await call(url, 'PUT', `/api/v1/principals/${principal.id}/roles`, { roles });
      answered++;
      progress.answered++;
    } catch {
      // The server was killed under this request: its change committed with its event, or not.
    }
  }
  return answered;
}

const ids = (
  events: { action: string; target?: { id: string }; role?: string }[],
  action: string,
) => new Set(events.filter((e) => e.action === action).map((e) => e.target!.id));

for (const target of TARGETS) {
  describe(`SIGKILL during admin changes: ${target.name}`, () => {
    const dir = tempDir('evident-admin-crash-');
    after(async () => {
      await killAllChildren();
      rmSync(dir, { recursive: true, force: true });
    });

    it('leaves every change with its event and every event with its change', async () => {
      const db = await target.prepare(dir);
      try {
        const serve = () =>
          startServe({
            dataDir: dir,
            adminToken: E2E_ADMIN_TOKEN,
            origin: E2E_ORIGIN,
            env: db.env,
          });
        let server = await serve();
        // The first admin, in the bootstrap window: later admin grants become requests.
        assert.equal(
          await call(server.url, 'POST', '/api/v1/principals', {
            kind: 'person',
            name: 'root',
            roles: ['admin'],
          }),
          201,
        );
        let killed = false;
        const progress = { answered: 0 };
        const load = Array.from({ length: WORKERS }, (_, w) =>
          adminLoad(server.url, w, () => killed, progress),
        );
        for (
          let waited = 0;
          progress.answered < ANSWERS_BEFORE_KILL && waited < 60_000;
          waited += 20
        ) {
          await sleep(20);
        }
        await server.kill();
        killed = true;
        const answered = (await Promise.all(load)).reduce((a, b) => a + b, 0);
        assert.ok(
          answered >= ANSWERS_BEFORE_KILL,
          `the load made changes before the kill (${answered} answers)`,
        );

        // Started again on the same store (recovery), then read with it stopped.
        server = await serve();
        await server.stop();
        const store = await db.open();
        try {
          const size = (await store.head())?.size ?? 0;
          const events = (await store.entries(0, size)).map((e) => {
            const r = JSON.parse(e.record) as {
              action: string;
              outcome: string;
              target?: { id: string };
              details?: { role?: string };
            };
            return { ...r, role: r.details?.role };
          });
          const accounts = await new AccountDirectory(store).list();
          const approvals = await approvalsByStatus(store.state, 'all', Date.now());

          assert.deepEqual(
            new Set(accounts.map((a) => a.id)),
            ids(events, 'principal.create'),
            'principals ↔ principal.create',
          );
          assert.deepEqual(
            new Set(
              accounts.filter((a) => a.grants.some((g) => g.role === 'reviewer')).map((a) => a.id),
            ),
            ids(
              events.filter((e) => e.role === 'reviewer'),
              'principal.role_grant',
            ),
            'reviewer grants ↔ principal.role_grant',
          );
          assert.deepEqual(
            new Set(approvals.map((a) => a.id)),
            ids(events, 'approval.request'),
            'four-eyes requests ↔ approval.request',
          );
          assert.ok(approvals.length > 0 && accounts.length > 10, 'each kind of change was made');
        } finally {
          await store.close();
        }
      } finally {
        await db.drop();
      }
    });
  });
}
