import { AppError } from '../../errors.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import type { IngestKeyRow, Store } from '../../store/store.js';
import {
  allSources,
  insertSourceIfAbsent,
  replaceSource,
  sourceByName,
} from '../../store/tables/sources/sources-table.js';

/** How a source entered the registry. */
export type SourceOrigin = 'declared' | 'ingest_key' | 'seen';

/** One expected source, as stored. */
export interface SourceRecord {
  name: string;
  origin: SourceOrigin;
  description: string | null;
  /**
   * The longest quiet spell before a "source silent" alert. Absent: the server's default
   * (EVIDENT_SOURCE_MAX_SILENCE); null: not monitored.
   */
  maxSilenceMs?: number | null;
  createdAtMs: number;
  createdBy: string;
  updatedAtMs: number;
  updatedBy: string;
}

export interface Declaration {
  /** undefined: the server default; null: not monitored. */
  maxSilenceMs: number | null | undefined;
  description: string | null;
}

/**
 * The sources Evident expects to hear from: declared by an admin, made with an ingest key,
 * or first seen in the log. One row per source in `sources`, the name its key, so concurrent
 * declarations and servers never make one twice.
 */
export class SourceRegistry {
  private readonly q: QueryRunner;

  constructor(private readonly store: Pick<Store, 'state' | 'transaction'>) {
    this.q = store.state;
  }

  async get(name: string): Promise<SourceRecord | undefined> {
    return (await sourceByName(this.q, name))?.record;
  }

  list(): Promise<SourceRecord[]> {
    return allSources(this.q);
  }

  /**
   * Registers `name` unless it is known (an ingest key for it, or its first event); true when
   * this call created it. The log's own source is listed but not monitored: its events come
   * with use, not on a schedule.
   */
  ensure(name: string, origin: SourceOrigin, by: string, atMs: number): Promise<boolean> {
    return insertSourceIfAbsent(this.q, {
      name,
      origin,
      description: null,
      ...(name === SELF_SOURCE ? { maxSilenceMs: null } : {}),
      createdAtMs: atMs,
      createdBy: by,
      updatedAtMs: atMs,
      updatedBy: by,
    });
  }

  /** Declares `name` in a transaction of its own, without an event (tests, tools). */
  declare(
    name: string,
    declaration: Declaration,
    by: string,
    atMs: number,
  ): Promise<{ record: SourceRecord; previous: SourceRecord | undefined }> {
    return this.store.transaction((tx) => this.declareIn(tx, name, declaration, by, atMs));
  }

  /**
   * Creates or replaces the declaration of `name` (PUT semantics: omitted means default)
   * inside the transaction `tx`, which holds the source's row until it ends.
   */
  async declareIn(
    tx: QueryRunner,
    name: string,
    declaration: Declaration,
    by: string,
    atMs: number,
  ): Promise<{ record: SourceRecord; previous: SourceRecord | undefined }> {
    const apply = (base: SourceRecord): SourceRecord => {
      const { maxSilenceMs: _old, ...rest } = base;
      return {
        ...rest,
        origin: 'declared',
        description: declaration.description,
        ...(declaration.maxSilenceMs === undefined
          ? {}
          : { maxSilenceMs: declaration.maxSilenceMs }),
        updatedAtMs: atMs,
        updatedBy: by,
      };
    };
    // Twice at most: a source another process adds between the look and the insert is
    // there (and locked) on the second look.
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await sourceByName(tx, name, { lock: true });
      if (current) {
        const record = apply(current.record);
        if (await replaceSource(tx, record, current.version)) {
          return { record, previous: current.record };
        }
        break;
      }
      const record = apply({
        name,
        origin: 'declared',
        description: null,
        createdAtMs: atMs,
        createdBy: by,
        updatedAtMs: atMs,
        updatedBy: by,
      });
      if (await insertSourceIfAbsent(tx, record)) return { record, previous: undefined };
    }
    throw new AppError('concurrent_change', `source ${name} is being changed by others; try again`);
  }
}

/** The effective longest silence of a source: its own, else the default; null: unmonitored. */
export function maxSilenceOf(record: SourceRecord, defaultMs: number | null): number | null {
  return record.maxSilenceMs === undefined ? defaultMs : record.maxSilenceMs;
}

/**
 * The hook for ingest-key creation (ServerDeps.onIngestKeyCreated, `evident keys create`):
 * a key's source becomes an expected source, monitored with the default silence.
 */
export async function registerKeySource(
  store: Pick<Store, 'state' | 'transaction'>,
  key: IngestKeyRow,
): Promise<void> {
  await new SourceRegistry(store).ensure(
    key.source,
    'ingest_key',
    `ingest_key:${key.id}`,
    key.createdAtMs,
  );
}
