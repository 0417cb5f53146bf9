/**
 * "10,000 principals: one page p99 ≤ 20 ms" (issue 11), on SQLite and, when reachable,
 * PostgreSQL: a directory of N accounts (a quarter services, roles spread over them), then
 * one page at a random keyset position, unfiltered, by role and by kind, through the
 * principal directory the GET /api/v1/principals route calls (no HTTP, no authentication).
 *
 *   node --import tsx bench/principals.ts       (or a phase of `npm run bench`)
 *   BENCH_PRINCIPALS=10000  BENCH_PRINCIPAL_PAGES=1000  BENCH_PRINCIPAL_LIMIT=50
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AccountDirectory, type AccountRecord } from '../src/access/accounts/accounts.js';
import { adminContext } from '../src/access/admin/admin-context.js';
import {
  PrincipalDirectory,
  type PrincipalQuery,
} from '../src/access/admin/principal-directory.js';
import { ApiTokens } from '../src/access/credentials/api-tokens.js';
import type { Grant } from '../src/access/principal.js';
import type { SelfAudit } from '../src/log/self-audit.js';
import { quoteIdent } from '../src/store/postgres/connection.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { insertAccount } from '../src/store/tables/accounts/accounts-table.js';
import { ulidGenerator } from '../src/util/ids.js';
import { benchSchema, connect, DEFAULT_DATABASE_URL, dropSchema } from './postgres/pg-target.js';
import { type Latency, latency, log, timeEach } from './stats.js';

/** The target for one page. */
export const PAGE_LIMIT_MS = 20;

export interface PrincipalPageResult {
  store: 'sqlite' | 'postgresql';
  principals: number;
  pageSize: number;
  fillSeconds: number;
  /** One page at a random position: unfiltered, role=reviewer, kind=service. */
  pages: { filter: string; latency: Latency; ratio: number }[];
}

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

export async function principalPages(options: {
  dir: string;
  principals?: number;
  pages?: number;
  pageSize?: number;
  /** False: SQLite only (BENCH_POSTGRES=0). */
  postgres?: boolean;
  postgresUrl?: string;
}): Promise<PrincipalPageResult[]> {
  const principals = options.principals ?? envInt('BENCH_PRINCIPALS', 10_000);
  const pages = options.pages ?? envInt('BENCH_PRINCIPAL_PAGES', 1_000);
  const pageSize = options.pageSize ?? envInt('BENCH_PRINCIPAL_LIMIT', 50);
  const results: PrincipalPageResult[] = [];
  const sqliteFile = join(options.dir, 'principals.db');
  const sqlite = SqliteStore.open(sqliteFile);
  try {
    results.push(await measure('sqlite', sqlite, principals, pages, pageSize));
  } finally {
    await sqlite.close();
    rmSync(options.dir, { recursive: true, force: true });
  }
  if (options.postgres === false) return results;
  const url = options.postgresUrl ?? (process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL);
  const schema = benchSchema('principals');
  let pg: PostgresStore | undefined;
  try {
    pg = await PostgresStore.open(url, { schema });
  } catch (error) {
    log(`principals: PostgreSQL at ${url} not reachable, SQLite only (${String(error)})`);
  }
  if (pg) {
    try {
      // As autovacuum would after a bulk load: the planner needs the tables' statistics.
      const analyze = async () => {
        const client = await connect(url);
        try {
          for (const t of ['accounts', 'account_roles']) {
            await client.query(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(t)}`);
          }
        } finally {
          await client.end();
        }
      };
      results.push(await measure('postgresql', pg, principals, pages, pageSize, analyze));
    } finally {
      await pg.close();
      await dropSchema(url, schema);
    }
  }
  return results;
}

async function measure(
  name: PrincipalPageResult['store'],
  store: Store,
  principals: number,
  pages: number,
  pageSize: number,
  afterFill: () => Promise<void> = async () => {},
): Promise<PrincipalPageResult> {
  const newId = ulidGenerator();
  const ids: string[] = [];
  const fillStart = performance.now();
  for (let done = 0; done < principals; ) {
    const chunk = Math.min(1_000, principals - done);
    await store.transaction(async (tx) => {
      for (let i = done; i < done + chunk; i++) {
        const account = accountAt(newId(1_800_000_000_000 + i), i);
        ids.push(account.id);
        await insertAccount(tx, account, 1);
      }
    });
    done += chunk;
  }
  const fillSeconds = (performance.now() - fillStart) / 1000;
  await afterFill();
  const accounts = new AccountDirectory(store);
  const directory = new PrincipalDirectory(
    adminContext({
      store,
      accounts,
      tokens: new ApiTokens(store.state),
      // Listing records nothing: the audit is never called.
      audit: undefined as unknown as SelfAudit,
      clock: { now: () => Date.now() },
    }),
  );
  const filters: { filter: string; query: Omit<PrincipalQuery, 'afterId' | 'limit'> }[] = [
    { filter: 'none', query: {} },
    { filter: 'role=reviewer', query: { role: 'reviewer' } },
    { filter: 'kind=service', query: { kind: 'service' } },
  ];
  const out: PrincipalPageResult['pages'] = [];
  for (const { filter, query } of filters) {
    // A warm-up, then pages at random keyset positions.
    await directory.list({ ...query, limit: pageSize });
    const samples = await timeEach(pages, async () => {
      const afterId = ids[Math.floor(Math.random() * ids.length)]!;
      const page = await directory.list({ ...query, afterId, limit: pageSize });
      if (page.principals.length > pageSize) throw new Error('page larger than asked');
    });
    const l = latency(samples);
    out.push({ filter, latency: l, ratio: l.p99 / PAGE_LIMIT_MS });
    log(
      `principals ${name} ${filter}: p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms (${(l.p99 / PAGE_LIMIT_MS).toFixed(3)} of ${PAGE_LIMIT_MS} ms)`,
    );
  }
  return { store: name, principals, pageSize, fillSeconds, pages: out };
}

/** Account i: every fourth a service; roles spread so each filter matches a good share. */
function accountAt(id: string, i: number): AccountRecord {
  const grants: Grant[] = [];
  if (i % 50 === 0) grants.push({ role: 'admin' });
  if (i % 2 === 0) grants.push({ role: 'reviewer', sources: [`app-${i % 7}-*`] });
  if (i % 3 === 0) grants.push({ role: 'auditor' });
  return {
    id,
    kind: i % 4 === 0 ? 'service' : 'person',
    name: `p-${i}`,
    displayName: `Principal ${i}`,
    email: null,
    grants,
    passwordHash: null,
    oidc: null,
    disabled: i % 97 === 0,
    createdAtMs: 1_800_000_000_000 + i,
    createdBy: 'bench',
    signIn: { failures: 0, lastFailureMs: null, lockedUntilMs: null, lastSuccessMs: null },
    credentialsSetBy: [],
  };
}

export function principalsMarkdown(results: readonly PrincipalPageResult[]): string {
  const rows = results.flatMap((r) =>
    r.pages.map(
      (p) =>
        `| ${r.store} | ${r.principals} | ${r.pageSize} | ${p.filter} | ${p.latency.p50.toFixed(2)} | ${p.latency.p99.toFixed(2)} | ${p.ratio.toFixed(3)} |`,
    ),
  );
  return [
    '## Principals: one page of 10,000 (issue 11 target: p99 ≤ 20 ms)',
    '',
    'One page of GET /api/v1/principals through the principal directory (keyset page in SQL at a',
    'random position; no HTTP). `ratio` is p99 / 20 ms: below 1 meets the target.',
    '',
    '| store | principals | page | filter | p50 ms | p99 ms | ratio |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await principalPages({ dir: join('.bench-data', `principals-${process.pid}`) });
  console.log(principalsMarkdown(results));
}
