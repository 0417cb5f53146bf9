import { AppError } from '../../errors.js';
import type { IngestKeyRow, Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { type CreatedIngestKey, createIngestKey } from './ingest-keys.js';

export interface IngestKeyServiceDeps {
  store: Store;
  clock: Clock;
  /** Told of every new key (the source registry declares its source). */
  onCreated?: (key: IngestKeyRow) => Promise<void>;
  /** Called after a revocation, so cached verifications stop at once. */
  onRevoked?: () => void;
}

/**
 * Ingest keys as the API manages them (admins), the same operations as `evident keys` at the
 * machine. A bad source name is the client's 400 (its AppError reason); anything else the
 * store throws stays what it is, a 500.
 */
export class IngestKeyService {
  constructor(private readonly deps: IngestKeyServiceDeps) {}

  async create(source: string, label: string | null): Promise<CreatedIngestKey> {
    const created = await createIngestKey(this.deps.store, this.deps.clock, source, label);
    await this.deps.onCreated?.(created.row);
    return created;
  }

  list(): Promise<IngestKeyRow[]> {
    return this.deps.store.ingestKeys();
  }

  /** Revokes the key if it is live; `revoked` says whether this call did. */
  async revoke(id: string): Promise<{ key: IngestKeyRow; revoked: boolean }> {
    const existing = await this.deps.store.ingestKey(id);
    if (!existing) throw new AppError('not_found', `no ingest key ${id}`);
    if (existing.revokedAtMs !== null) return { key: existing, revoked: false };
    await this.deps.store.revokeIngestKey(existing.id, this.deps.clock.now());
    this.deps.onRevoked?.();
    const key = await this.deps.store.ingestKey(existing.id);
    if (!key) throw new AppError('store_inconsistent', `ingest key ${id} vanished while revoked`);
    return { key, revoked: true };
  }
}
