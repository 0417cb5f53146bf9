// TEMPORARY: the contract's types (contract.md) until tag store-ready is merged; replaced then.
import type { Compilable, Kysely } from 'kysely';
export type Dialect = 'sqlite' | 'postgres';
export interface QueryRunner {
  readonly dialect: Dialect;
  // biome-ignore lint/suspicious/noExplicitAny: the contract's untyped builder
  readonly db: Kysely<any>;
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  run(query: Compilable<unknown>): Promise<number>;
}
export function tables<T>(runner: QueryRunner): Kysely<T> {
  return runner.db as Kysely<T>;
}
export function forUpdate<Q extends { forUpdate(): Q }>(runner: QueryRunner, query: Q): Q {
  return runner.dialect === 'postgres' ? query.forUpdate() : query;
}
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === '23505' || String(e?.message ?? '').includes('UNIQUE constraint failed');
}
