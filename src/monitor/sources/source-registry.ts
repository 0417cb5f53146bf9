import { AppError } from '../../errors.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import { StateCollection } from '../../store/state-collection.js';
import type { IngestKeyRow, Store } from '../../store/store.js';

/** The state kind of the registry of expected sources (one document per source name). */
export const SOURCE_KIND = 'source';

const MAX_CAS_ATTEMPTS = 8;

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
 * or first seen in the log. Each lives as its own compare-and-set document, so concurrent
 * declarations and servers never lose one.
 */
export class SourceRegistry {
  readonly records: StateCollection<SourceRecord>;

  constructor(store: Store) {
    this.records = new StateCollection(store, SOURCE_KIND);
  }

  async get(name: string): Promise<SourceRecord | undefined> {
    return (await this.records.get(name))?.value;
  }

  async list(): Promise<SourceRecord[]> {
    return (await this.records.all()).map((d) => d.value);
  }

  /**
   * Registers `name` unless it is known (an ingest key for it, or its first event); true when
   * this call created it. The log's own source is listed but not monitored: its events come
   * with use, not on a schedule.
   */
  async ensure(name: string, origin: SourceOrigin, by: string, atMs: number): Promise<boolean> {
    if (await this.records.get(name)) return false;
    return this.records.create(
      name,
      {
        name,
        origin,
        description: null,
        ...(name === SELF_SOURCE ? { maxSilenceMs: null } : {}),
        createdAtMs: atMs,
        createdBy: by,
        updatedAtMs: atMs,
        updatedBy: by,
      },
      atMs,
    );
  }

  /** Creates or replaces the declaration of `name` (PUT semantics: omitted means default). */
  async declare(
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
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.records.get(name);
      if (current) {
        const record = apply(current.value);
        if (await this.records.replace(name, record, current.version, atMs)) {
          return { record, previous: current.value };
        }
        continue;
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
      if (await this.records.create(name, record, atMs)) return { record, previous: undefined };
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
export async function registerKeySource(store: Store, key: IngestKeyRow): Promise<void> {
  await new SourceRegistry(store).ensure(
    key.source,
    'ingest_key',
    `ingest_key:${key.id}`,
    key.createdAtMs,
  );
}
