import { AppError } from '../errors.js';
import type { StateListOptions, Store } from './store.js';

export interface Versioned<T> {
  id: string;
  value: T;
  version: number;
  updatedAtMs: number;
}

/** How many times an update re-reads and retries when another writer got there first. */
const MAX_CAS_ATTEMPTS = 8;

/**
 * Typed JSON documents of one kind over the Store's compare-and-set state (principals,
 * tokens, sessions, approvals…). `update` re-reads and re-applies on conflict, so two
 * requests or two server processes changing one document never lose a write.
 */
export class StateCollection<T> {
  constructor(
    private readonly store: Store,
    readonly kind: string,
  ) {}

  async get(id: string): Promise<Versioned<T> | undefined> {
    const doc = await this.store.getState(this.kind, id);
    if (!doc) return undefined;
    return {
      id: doc.id,
      value: JSON.parse(doc.value) as T,
      version: doc.version,
      updatedAtMs: doc.updatedAtMs,
    };
  }

  /** False when the id is taken. */
  create(id: string, value: T, atMs: number): Promise<boolean> {
    return this.store.putState(this.kind, id, JSON.stringify(value), 0, atMs);
  }

  /** Replaces exactly `version`; false when someone else wrote first. */
  replace(id: string, value: T, version: number, atMs: number): Promise<boolean> {
    return this.store.putState(this.kind, id, JSON.stringify(value), version, atMs);
  }

  /**
   * Applies `change` to the current value and writes it back, retrying on conflict.
   * `change` may throw (an AppError for a refused transition) and must be pure: it can run
   * more than once. Returns undefined when no such document exists.
   */
  async update(
    id: string,
    change: (current: T) => T,
    atMs: number,
  ): Promise<Versioned<T> | undefined> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(id);
      if (!current) return undefined;
      const next = change(current.value);
      if (await this.replace(id, next, current.version, atMs)) {
        return { id, value: next, version: current.version + 1, updatedAtMs: atMs };
      }
    }
    throw new AppError(
      'concurrent_change',
      `${this.kind} ${id} is being changed by others; try again`,
    );
  }

  async list(options: StateListOptions): Promise<Versioned<T>[]> {
    const docs = await this.store.listState(this.kind, options);
    return docs.map((doc) => ({
      id: doc.id,
      value: JSON.parse(doc.value) as T,
      version: doc.version,
      updatedAtMs: doc.updatedAtMs,
    }));
  }

  /** Every document of the kind, page by page (small collections: principals, tokens). */
  async all(pageSize = 500): Promise<Versioned<T>[]> {
    const out: Versioned<T>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.list({ limit: pageSize, ...(after ? { after } : {}) });
      out.push(...page);
      if (page.length < pageSize) return out;
      after = page[page.length - 1]!.id;
    }
  }

  delete(id: string, version: number): Promise<boolean> {
    return this.store.deleteState(this.kind, id, version);
  }
}
