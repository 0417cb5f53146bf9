/**
 * The limit for durable ingest on PostgreSQL: the rows Evident writes to `entries` (the same
 * events the fill draws, same ids), inserted straight into the same server, into a table
 * made by the store's own migrations (same columns, same indexes), in durable transactions
 * (synchronous_commit on, one fsync'd COMMIT each). Only the transactions are timed; the rows
 * are built beforehand (canonical JSON + leaf hash, as Evident does before its transaction).
 *
 * Two ways to send rows, both plain `pg`:
 *  - `copy`: COPY FROM STDIN, text format (copy-in.ts), straight into the two tables the
 *    adapter writes since migration 13 (entry_leaves and the month partitions of
 *    entry_payloads), as its append does: the bulk path;
 *  - `json`: INSERT INTO entries … SELECT FROM json_to_recordset($1), the statement Evident's
 *    adapter used before COPY (through the view's row trigger since migration 13).
 */
import type { Client } from 'pg';
import { leafHash } from '../../src/core/merkle.js';
import { buildRecord, canonicalRecord } from '../../src/core/record/canonical.js';
import { columnsOf } from '../../src/log/prepare-entries.js';
import {
  LEAF_COPY_COLUMNS,
  leafCopyText,
  PAYLOAD_COPY_COLUMNS,
  payloadCopyText,
} from '../../src/store/postgres/batch-copy-text.js';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { NewEntry } from '../../src/store/store.js';
import { HISTORY_SOURCES, LogHistory } from '../log-history.js';
import { latency, log } from '../stats.js';
import { copyFrom } from './copy-in.js';
import { connect, schemaBytes, walBytes, watchPostgres, withSchema } from './pg-target.js';

export const LIMIT_TRANSACTION_ROWS = 20_000;
export type InsertMethod = 'copy' | 'json';

export interface PgInsertResult {
  method: InsertMethod;
  rows: number;
  transactionRows: number;
  /** Time inside the transactions (BEGIN … COMMIT). */
  seconds: number;
  eventsPerSecond: number;
  /** Rate over the last fifth of the rows (the largest indexes). */
  tailEventsPerSecond: number;
  /** COMMIT alone (the WAL flush): mean, p99, max. */
  commitMs: { mean: number; p99: number; max: number };
  /** Statement time (COPY or INSERT) per transaction, mean. */
  statementMs: number;
  /** WAL bytes the server wrote per row. */
  walBytesPerRow: number;
  /** Time spent building the rows in this process (not in `seconds`). */
  prepareSeconds: number;
  /** PostgreSQL's CPU while the transactions ran, percent of one core (probes only). */
  postgresCpu: number;
}

/** A row as the adapter's append receives it (columnsOf in prepare-entries.ts). */
type Row = NewEntry;

const COLUMNS =
  'seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash';

export interface RawClone {
  rows: number;
  seconds: number;
  bytes: number;
}

/**
 * A raw `entries` table in its own schema, holding the same rows as the filled log (copied
 * server-side, untimed), so the limit is measured at the size Evident ingests into. New rows
 * continue it: seqs after the last, received_at from now on (the right edge of the indexes,
 * where live ingest writes), ids that sort after every stored one.
 */
export class RawPostgres {
  private readonly history: LogHistory;
  private chunk = 0;

  private constructor(
    private readonly client: Client,
    readonly schema: string,
    private seq: number,
    rows: number,
    readonly clone: RawClone,
  ) {
    this.history = new LogHistory(rows, Date.now() + 30 * 86_400_000 + 3_600_000);
  }

  /**
   * Creates `schema` with the PostgreSQL store's migrations (same columns, same indexes) and
   * copies the entries of `logSchema` into it. `rows`: how many new rows the probes may use.
   */
  static async create(
    databaseUrl: string,
    schema: string,
    logSchema: string,
    rows: number,
  ): Promise<RawPostgres> {
    const store = await PostgresStore.open(withSchema(databaseUrl, schema));
    await store.close();
    const client = await connect(databaseUrl);
    try {
      await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      const start = performance.now();
      const copied = await client.query(
        `INSERT INTO entries (${COLUMNS}) SELECT ${COLUMNS} FROM ${quoteIdent(logSchema)}.entries ORDER BY seq`,
      );
      await client.query('ANALYZE entries');
      await client.query('CHECKPOINT');
      const seconds = (performance.now() - start) / 1000;
      const { rows: last } = await client.query(
        'SELECT coalesce(max(seq) + 1, 0) AS next FROM entries',
      );
      const clone = {
        rows: copied.rowCount ?? 0,
        seconds,
        bytes: await schemaBytes(client, schema),
      };
      return new RawPostgres(client, schema, Number(last[0].next), rows, clone);
    } catch (error) {
      await client.end();
      throw error;
    }
  }

  /** Transactions of `rows` for about `seconds` (at most `maxRows`), on top of the table. */
  probe(method: InsertMethod, rows: number, seconds: number, maxRows = 1_000_000) {
    const size = Math.max(1, Math.round(rows));
    const total = Math.max(size * 5, Math.min(maxRows, Math.round(seconds * 60_000)));
    return this.insert(method, total, size, seconds * 1000, false);
  }

  /**
   * After the probes: their rows vacuumed and every dirty page written, so neither an
   * autovacuum of these tables nor the checkpoint of their writes lands in the measurements
   * that follow (the HTTP ingest phases ran beside both: PostgreSQL at 104% of a core).
   */
  async settle(): Promise<void> {
    for (const table of ['entry_leaves', 'entry_payloads']) {
      await this.client.query(`VACUUM (ANALYZE) ${quoteIdent(this.schema)}.${table}`);
    }
    await this.client.query('CHECKPOINT');
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  private async insert(
    method: InsertMethod,
    total: number,
    size: number,
    maxMs: number,
    progress: boolean,
  ): Promise<PgInsertResult> {
    const commits: number[] = [];
    let statementMs = 0;
    let prepareMs = 0;
    let done = 0;
    let timedMs = 0;
    let tailMs = 0;
    let tailRows = 0;
    const wal = await walBytes(this.client);
    // Probes build all their rows first (small transactions); the fill builds chunk by chunk.
    const ready: { rows: number; payload: CopyPayload | string }[] = [];
    const build = (count: number) => {
      const p = performance.now();
      const rows = this.rows(count);
      const payload = method === 'copy' ? copyPayload(rows) : jsonPayload(rows);
      prepareMs += performance.now() - p;
      return { rows: count, payload };
    };
    // The months the probe's rows fall in get their payload partitions first (the adapter's
    // append does the same, outside the timing of this limit as of Evident's).
    await this.client.query(
      `SELECT ${quoteIdent(this.schema)}.evident_payload_month($1, m) FROM unnest($2::bigint[]) AS m`,
      [this.schema, [this.history.now(), this.history.now() + 31 * 86_400_000]],
    );
    if (Number.isFinite(maxMs)) {
      for (let k = 0; k < total; k += size) ready.push(build(Math.min(size, total - k)));
    }
    const pgCpu = watchPostgres();
    const insertSql = `INSERT INTO entries (${COLUMNS})
      SELECT seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, decode(leaf_hash, 'hex')
      FROM json_to_recordset($1::json) AS r (seq bigint, id text, source text, actor_id text, action text, target_type text,
        target_id text, outcome text, time_ms bigint, received_at_ms bigint, record text, leaf_hash text)`;
    while (done < total && timedMs < maxMs) {
      const next = ready.shift() ?? build(Math.min(size, total - done));
      const start = performance.now();
      await this.client.query('BEGIN');
      if (method === 'copy') {
        const { leaves, payloads } = next.payload as CopyPayload;
        const copied = await copyFrom(
          this.client,
          `COPY entry_leaves (${LEAF_COPY_COLUMNS.join(', ')}) FROM STDIN`,
          leaves,
        );
        await copyFrom(
          this.client,
          `COPY entry_payloads (${PAYLOAD_COPY_COLUMNS.join(', ')}) FROM STDIN`,
          payloads,
        );
        if (copied !== next.rows) throw new Error(`COPY stored ${copied} of ${next.rows} rows`);
      } else {
        await this.client.query(insertSql, [next.payload]);
      }
      const beforeCommit = performance.now();
      await this.client.query('COMMIT');
      const end = performance.now();
      statementMs += beforeCommit - start;
      commits.push(end - beforeCommit);
      timedMs += end - start;
      if (done >= total * 0.8) {
        tailMs += end - start;
        tailRows += next.rows;
      }
      done += next.rows;
      if (progress && commits.length % 25 === 0)
        log(`limit (${method}): ${done} rows, ${Math.round(done / (timedMs / 1000))} rows/s`);
    }
    const c = latency(commits);
    return {
      method,
      rows: done,
      transactionRows: size,
      seconds: timedMs / 1000,
      eventsPerSecond: done / (timedMs / 1000),
      tailEventsPerSecond: tailRows > 0 ? tailRows / (tailMs / 1000) : done / (timedMs / 1000),
      commitMs: { mean: c.mean, p99: c.p99, max: c.max },
      statementMs: statementMs / commits.length,
      walBytesPerRow: ((await walBytes(this.client)) - wal) / done,
      prepareSeconds: prepareMs / 1000,
      postgresCpu: pgCpu(),
    };
  }

  /** The columns Evident's sequencer writes for these events (columnsOf in sequencer.ts). */
  private rows(count: number): Row[] {
    const source = HISTORY_SOURCES[this.chunk++ % HISTORY_SOURCES.length]!;
    const receivedAtMs = this.history.now();
    const received_at = new Date(receivedAtMs).toISOString();
    return this.history.next(count, source).map((submitted) => {
      const record = buildRecord(submitted, { id: submitted.id!, received_at, source });
      const text = canonicalRecord(record);
      return { ...columnsOf(record, text, leafHash(text)), seq: this.seq++ };
    });
  }
}

interface CopyPayload {
  leaves: Buffer;
  payloads: Buffer;
}

/** The adapter's own COPY text for the two tables (batch-copy-text.ts), actor digests included. */
function copyPayload(rows: readonly Row[]): CopyPayload {
  return {
    leaves: Buffer.from(leafCopyText(rows), 'utf8'),
    payloads: Buffer.from(payloadCopyText(rows), 'utf8'),
  };
}

/** The same JSON shape as the adapter's insertBatch (queries.ts). */
function jsonPayload(rows: readonly Row[]): string {
  return JSON.stringify(
    rows.map((e) => ({
      seq: e.seq,
      id: e.id,
      source: e.source,
      actor_id: e.actorId,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      outcome: e.outcome,
      time_ms: e.timeMs,
      received_at_ms: e.receivedAtMs,
      record: e.record,
      leaf_hash: Buffer.from(e.leafHash).toString('hex'),
    })),
  );
}
