/**
 * Remembers credentials (ingest keys, API tokens) that verified, for a short time. Without it every single-event
 * request paid a database read plus a SHA-256 before doing any work. The TTL bounds how long
 * a key or token revoked by another process (the CLI, another server) keeps working: at most `ttlMs`.
 */
export class VerifiedKeys<T> {
  private readonly entries = new Map<string, { row: T; until: number }>();

  constructor(
    private readonly ttlMs = 500,
    private readonly maxEntries = 10_000,
  ) {}

  get(token: string): T | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.until < performance.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.row;
  }

  set(token: string, row: T): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(token, { row, until: performance.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
