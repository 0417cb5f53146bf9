/**
 * What the Evident servers' PostgreSQL backends are doing while a load runs: pg_stat_activity
 * sampled every 10 ms from a separate connection. Each busy backend in each
 * sample counts once under its state: on CPU, waiting on a lock (the append lock), on the
 * WAL flush, on I/O, or idle in a transaction (waiting for the Evident server's next
 * statement: a round trip or server-side work inside the append transaction).
 */
import { connect } from './pg-target.js';

export interface WaitProfile {
  samples: number;
  /** Percent of samples in which at least one Evident backend was inside a transaction. */
  busyPercent: number;
  /** Busy backend-samples by state, percent of all busy backend-samples, largest first. */
  states: { state: string; percent: number }[];
  /**
   * The statement each backend found idle in a transaction had sent last (its kind and table,
   * e.g. `insert alert_keys`), percent of those samples, largest first: what the transaction
   * was doing when it stopped to wait for the server.
   */
  idleAfter: { statement: string; percent: number }[];
}

const INTERVAL_MS = 10;

/** Starts sampling; the returned function stops and summarises. */
export async function sampleWaits(databaseUrl: string): Promise<() => Promise<WaitProfile>> {
  const client = await connect(databaseUrl);
  const counts = new Map<string, number>();
  const idleAfter = new Map<string, number>();
  let idleTotal = 0;
  let samples = 0;
  let busySamples = 0;
  let busyTotal = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
        query: string | null;
      }>(
        `SELECT state, wait_event_type, wait_event, left(query, 200) AS query FROM pg_stat_activity
          WHERE application_name = 'evident' AND backend_type = 'client backend'
            AND state IS NOT NULL AND state <> 'idle'`,
      );
      samples++;
      if (rows.length > 0) busySamples++;
      for (const r of rows) {
        busyTotal++;
        const state = describe(r.state, r.wait_event_type, r.wait_event);
        counts.set(state, (counts.get(state) ?? 0) + 1);
        if (r.state === 'idle in transaction') {
          idleTotal++;
          const statement = statementKind(r.query ?? '');
          idleAfter.set(statement, (idleAfter.get(statement) ?? 0) + 1);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await client.end();
    return {
      samples,
      busyPercent: (busySamples / Math.max(1, samples)) * 100,
      states: [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([state, n]) => ({ state, percent: (n / Math.max(1, busyTotal)) * 100 })),
      idleAfter: [...idleAfter.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([statement, n]) => ({ statement, percent: (n / Math.max(1, idleTotal)) * 100 })),
    };
  };
}

function describe(state: string | null, type: string | null, event: string | null): string {
  if (state === 'idle in transaction') return 'idle in transaction (waiting for the server)';
  if (type === 'Lock' && event === 'advisory') return 'waiting for the append lock';
  if (type === null) return 'running (CPU)';
  if (event === 'WALSync' || event === 'WALWrite') return `WAL flush (${type}:${event})`;
  return `${type}:${event}`;
}

/**
 * A statement as its kind and first table: `insert alert_keys`, `copy entry_payloads`,
 * `begin` (the append's BEGIN with the lock and the head), `select entries`.
 */
export function statementKind(query: string): string {
  const verb = /^\s*(\w+)/.exec(query)?.[1]?.toLowerCase() ?? '?';
  if (verb === 'begin') return 'begin';
  const table = /(?:into|from|update|copy)\s+(?:"?[\w]+"?\.)?"?(\w+)"?/i.exec(query)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/** "48% WAL flush, 30% CPU, …; idle in transaction after: 40% insert alert_keys, …" */
export function describeWaits(w: WaitProfile, top = 4): string {
  const parts = w.states
    .slice(0, top)
    .map((s) => `${Math.round(s.percent)}% ${s.state}`)
    .join(', ');
  const after = w.idleAfter
    .slice(0, 3)
    .map((s) => `${Math.round(s.percent)}% ${s.statement}`)
    .join(', ');
  return `append connections busy in ${Math.round(w.busyPercent)}% of samples: ${parts}${after ? `; idle in transaction after: ${after}` : ''}`;
}
