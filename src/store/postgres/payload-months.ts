import type { PoolClient } from 'pg';
import type { NewEntry } from '../store.js';
import type { Statements } from './statements.js';

/** The first instant (ms) of the UTC month holding `ms`. */
export function monthStartMs(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The first instant (ms) of the UTC month after the one holding `ms`. */
export function nextMonthStartMs(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Makes sure entry_payloads has a partition for every month a batch writes to, and for the
 * month after the newest (so the first append of a month rarely creates one). entry_payloads
 * has no default partition: a missing month would fail the append, never collect rows
 * unseen. Months known to exist are remembered, so a batch costs no query once its month is
 * there. Runs in the append transaction (under the append lock, so two processes never race
 * to create one month).
 */
export class PayloadMonths {
  private readonly known = new Set<number>();

  constructor(
    private readonly schema: string,
    private readonly st: Statements,
  ) {}

  async ensure(client: PoolClient, entries: readonly NewEntry[]): Promise<void> {
    const wanted = new Set<number>();
    for (const e of entries) {
      const month = monthStartMs(e.receivedAtMs);
      if (!this.known.has(month)) wanted.add(month);
      const next = nextMonthStartMs(e.receivedAtMs);
      if (!this.known.has(next)) wanted.add(next);
    }
    if (wanted.size === 0) return;
    const months = [...wanted];
    await client.query(this.st.payloadMonths, [this.schema, months]);
    for (const m of months) this.known.add(m);
  }

  /** CREATE TABLE is transactional: after a rolled-back append the months it made are gone. */
  forget(): void {
    this.known.clear();
  }
}
