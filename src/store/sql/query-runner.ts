import {
  type Compilable,
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The state tables as seen by repositories (src/store/tables/): queries are built with Kysely
 * and run by the store's own connections. Kysely is only a compiler here — it never opens a
 * connection — so SQLite's writer thread and pg's pooled clients stay the one place SQL runs,
 * and one query text serves both adapters.
 */
export interface QueryRunner {
  readonly dialect: Dialect;
  /** A builder for this store's dialect (and, on PostgreSQL, its schema). Type it with `tables<T>()`. */
  // biome-ignore lint/suspicious/noExplicitAny: each repository narrows it to its own tables with tables<T>()
  readonly db: Kysely<any>;
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  /** A write (INSERT/UPDATE/DELETE without RETURNING); resolves with the rows it changed. */
  run(query: Compilable<unknown>): Promise<number>;
}

/** What an adapter does with a compiled query: its rows, and for writes the rows changed. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  changes: number;
}

export type Execute = (query: CompiledQuery, mode: 'rows' | 'changes') => Promise<QueryResult>;

/** The runner's builder typed with one domain's tables: `const db = tables<AlertTables>(q)`. */
export function tables<T>(runner: QueryRunner): Kysely<T> {
  return runner.db as Kysely<T>;
}

/** Adds FOR UPDATE on PostgreSQL; SQLite needs none (its write transactions are exclusive). */
export function forUpdate<Q extends { forUpdate(): Q }>(runner: QueryRunner, query: Q): Q {
  return runner.dialect === 'postgres' ? query.forUpdate() : query;
}

/** A unique or primary-key constraint refused the write, on either adapter. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // PostgreSQL SQLSTATE 23505 unique_violation; SQLite extended result codes.
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A compile-only Kysely for the dialect; on PostgreSQL every table name is qualified by `schema`. */
// biome-ignore lint/suspicious/noExplicitAny: see QueryRunner.db
export function queryBuilder(dialect: Dialect, schema?: string): Kysely<any> {
  const db = new Kysely({
    dialect:
      dialect === 'sqlite'
        ? {
            createAdapter: () => new SqliteAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (k) => new SqliteIntrospector(k),
            createQueryCompiler: () => new SqliteQueryCompiler(),
          }
        : {
            createAdapter: () => new PostgresAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (k) => new PostgresIntrospector(k),
            createQueryCompiler: () => new PostgresQueryCompiler(),
          },
  });
  return schema === undefined ? db : db.withSchema(schema);
}

// biome-ignore lint/suspicious/noExplicitAny: see QueryRunner.db
export function queryRunner(dialect: Dialect, db: Kysely<any>, execute: Execute): QueryRunner {
  return {
    dialect,
    db,
    all: async <R>(query: Compilable<R>) => (await execute(query.compile(), 'rows')).rows as R[],
    first: async <R>(query: Compilable<R>) =>
      (await execute(query.compile(), 'rows')).rows[0] as R | undefined,
    run: async (query) => (await execute(query.compile(), 'changes')).changes,
  };
}

/** Whether a compiled query only reads (runs on a reader connection outside transactions). */
export function isRead(query: CompiledQuery): boolean {
  return query.query.kind === 'SelectQueryNode';
}

/** A runner that refuses once its transaction has ended: a kept `tx` must not reach a pooled connection. */
export function endableRunner(runner: QueryRunner): { runner: QueryRunner; end(): void } {
  let open = true;
  const guard =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> =>
      open ? f(...a) : Promise.reject(new Error('this transaction has ended'));
  return {
    runner: {
      ...runner,
      all: guard(runner.all),
      first: guard(runner.first),
      run: guard(runner.run),
    },
    end: () => {
      open = false;
    },
  };
}
