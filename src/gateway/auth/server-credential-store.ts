import type { CredentialStore, GatewayCredential } from './credential-store.js';
import { parseVerifier } from './scram.js';

/** One credential as `GET /api/v1/gateway/sync` gives it. */
export interface SyncedCredentialJson {
  id: string;
  person_id: string;
  person: string;
  verifier: string;
  expires_at: string;
  revoked: boolean;
  access: { database: string; upstream_role: string }[];
}

export type FetchSnapshot = () => Promise<{ credentials: SyncedCredentialJson[] }>;

export interface ServerCredentialStoreOptions {
  fetch: FetchSnapshot;
  now: () => number;
  /**
   * A snapshot older than this is not trusted: every person is unknown (new connections are
   * refused, open sessions end between statements) until a sync succeeds again, so a
   * revocation cannot go unseen for longer while the server is out of reach.
   */
  maxStaleMs: number;
}

/**
 * Credentials and policy from the Evident server, polled (`refresh`); `find` answers from
 * memory, so a session never waits on the network. A person who disappears from a snapshot
 * (revoked long ago, account disabled) is kept as revoked until their credential would have
 * expired, so their session ends saying so.
 */
export class ServerCredentialStore implements CredentialStore {
  private byPerson = new Map<string, GatewayCredential>();
  private syncedAtMs: number | undefined;

  constructor(private readonly o: ServerCredentialStoreOptions) {}

  find(person: string): GatewayCredential | undefined {
    if (this.syncedAtMs === undefined || this.o.now() - this.syncedAtMs > this.o.maxStaleMs)
      return undefined;
    return this.byPerson.get(person);
  }

  /** Fetches a snapshot; a failure keeps the last one (until it is stale) and throws. */
  async refresh(): Promise<void> {
    const startedMs = this.o.now();
    const { credentials } = await this.o.fetch();
    const next = new Map<string, GatewayCredential>();
    for (const c of credentials) {
      const verifier = parseVerifier(c.verifier);
      if (!verifier) throw new Error(`credential ${c.id}: not a SCRAM-SHA-256 verifier`);
      const credential: GatewayCredential = {
        id: c.id,
        person: c.person,
        personId: c.person_id,
        verifier,
        expiresAtMs: Date.parse(c.expires_at),
        revoked: c.revoked,
        access: c.access.map((a) => ({ database: a.database, upstreamRole: a.upstream_role })),
      };
      // A person's live credential wins over their revoked ones (the server keeps one live).
      const held = next.get(c.person);
      if (!held || held.revoked || !credential.revoked) next.set(c.person, credential);
    }
    for (const [person, old] of this.byPerson)
      if (!next.has(person) && old.expiresAtMs > startedMs)
        next.set(person, { ...old, revoked: true });
    this.byPerson = next;
    this.syncedAtMs = startedMs;
  }

  /** Refreshes every `intervalMs` until stopped; failures go to `onError`. */
  poll(intervalMs: number, onError: (error: unknown) => void): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.refresh()
        .catch(onError)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
