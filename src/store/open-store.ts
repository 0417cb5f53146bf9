import { existsSync } from 'node:fs';
import { dataPaths } from '../data-folder.js';
import type { Store } from './store.js';

export interface StoreLocation {
  /** The data folder: the embedded SQLite database lives here unless databaseUrl is set. */
  dataDir: string;
  /** A postgres:// URL (flag --db or EVIDENT_DATABASE_URL): the production store. */
  databaseUrl?: string;
}

/** Opens the store a command was pointed at; the one place that chooses the adapter. */
export async function openStore(
  location: StoreLocation,
  options: { readonly?: boolean } = {},
): Promise<Store> {
  if (location.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(location.databaseUrl)) {
      throw new Error('the database URL must start with postgres:// or postgresql://');
    }
    // Each adapter is loaded only when it is used: a server on the embedded store never
    // holds the pg driver, and commands that do not open a store load neither.
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(location.databaseUrl);
  }
  const file = dataPaths(location.dataDir).database;
  if (options.readonly && !existsSync(file)) throw new Error(`no Evident database at ${file}`);
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(file, { readonly: options.readonly ?? false });
}

/** Where a log lives, said for people: never prints a password. */
export function describeLocation(location: StoreLocation): string {
  if (location.databaseUrl === undefined) return `data folder ${location.dataDir}`;
  try {
    const url = new URL(location.databaseUrl);
    return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
