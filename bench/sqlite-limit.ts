/**
 * The raw limit for durable ingest: the rows Evident writes to `entries`, inserted straight
 * into SQLite with the project's schema and indexes (its migrations), WAL + synchronous=FULL,
 * the store's page cache, and WAL checkpoints on another thread (as the store does), so no
 * COMMIT pays for one. Only the transactions are timed; the rows are prepared beforehand.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { leafHash } from '../src/core/merkle.js';
import { buildRecord, canonicalRecord } from '../src/core/record/canonical.js';
import { KEY_BATCH_ROWS } from '../src/store/sqlite/key-batch.js';
import { KeyIndexer } from '../src/store/sqlite/key-indexer.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { HISTORY_SOURCES, LogHistory } from './log-history.js';
import { writtenBytes } from './machine.js';
import { cpuTime, latency, log } from './stats.js';

export const RAW_TRANSACTION_ROWS = 20_000;

/**
 * The writer thread's other half of an append: after each COMMIT its KeyIndexer copies the
 * new rows' actor and target keys into the key tables in batches of `batchRows`. A raw limit
 * without it would leave out the searches' indexes, which the store does maintain.
 */
export function keyIndexerAfterCommit(batchRows = KEY_BATCH_ROWS) {
  return (db: Database.Database) => {
    const indexer = new KeyIndexer(db, batchRows);
    return (all: boolean) => void indexer.run(all);
  };
}

/** SqliteStore's default page cache (cacheMiB). */
const CACHE_MIB = 64;

export interface CommitFloor {
  commits: number;
  p50: number;
  p99: number;
}

/**
 * The floor under any durable ack: single-row transactions (WAL, synchronous=FULL) on a small
 * database, i.e. the cost of one fsync'd COMMIT on this disk.
 */
export function commitFloor(file: string, commits = 1000): CommitFloor {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, record TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (record) VALUES (?)');
  const record = 'x'.repeat(450);
  const samples: number[] = [];
  for (let i = 0; i < commits + 50; i++) {
    const start = performance.now();
    db.transaction(() => insert.run(record)).immediate();
    if (i >= 50) samples.push(performance.now() - start);
  }
  db.close();
  const l = latency(samples);
  return { commits, p50: l.p50, p99: l.p99 };
}

export interface RawInsertResult {
  rows: number;
  transactionRows: number;
  seconds: number;
  /** CPU time this process used in the timed parts (a shared machine stretches wall time). */
  cpuSeconds: number;
  eventsPerSecond: number;
  /** Rate over the last fifth of the rows, where the indexes are largest. */
  tailEventsPerSecond: number;
  commitMs: { mean: number; max: number };
  /** Bytes written to storage per row (WAL + checkpoints, /proc/self/io). */
  writtenBytesPerRow: number;
}

type Row = [
  number,
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  string,
  number,
  number,
  string,
  Uint8Array,
];

/** One raw database: filled first, then probed with smaller transactions at its full size. */
export class RawSqlite {
  private readonly db: Database.Database;
  private readonly checkpointer: Worker;
  private readonly insertEntry: Database.Statement;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private history: LogHistory | undefined;
  private seq = 0;
  private chunk = 0;

  /** `pageSize` and `checkpointMs` vary the store's settings (bench/sqlite-settings.ts). */
  private readonly afterCommit: ((all: boolean) => void) | undefined;

  /**
   * `pageSize` and `checkpointMs` vary the store's settings (bench/sqlite-settings.ts);
   * `migrations` replaces the schema (bench/key-tables-ab.ts: before and after a migration);
   * `afterCommit` runs after every COMMIT, timed with it (the store's key indexer), and once
   * with `all` at the end of each call, so deferred work is counted in the call that caused it.
   */
  constructor(
    file: string,
    options: {
      pageSize?: number;
      checkpointMs?: number;
      migrations?: readonly { sql: string }[];
      afterCommit?: (db: Database.Database) => (all: boolean) => void;
    } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // Before the first table: a database's page size is fixed once it has content.
    if (options.pageSize !== undefined) this.db.pragma(`page_size = ${options.pageSize}`);
    this.db.pragma(`cache_size = -${CACHE_MIB * 1024}`);
    this.db.pragma('temp_store = memory');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    for (const m of options.migrations ?? SQLITE_MIGRATIONS) this.db.exec(m.sql);
    this.afterCommit = options.afterCommit?.(this.db);
    // A safety net only; the checkpointer thread keeps the WAL short.
    this.db.pragma('wal_autocheckpoint = 100000');
    this.checkpointer = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: {
        modulePath: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        intervalMs: options.checkpointMs ?? 250,
      },
    });
    this.checkpointer.unref(); // never keeps the bench alive, e.g. after a failure
    this.insertEntry = this.db.prepare(
      `INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
  }

  /** Inserts `total` rows in transactions of RAW_TRANSACTION_ROWS: the raw limit. */
  fill(total: number): RawInsertResult {
    this.history = new LogHistory(total);
    return this.insert(total, RAW_TRANSACTION_ROWS, Number.POSITIVE_INFINITY, true);
  }

  /** Transactions of `rows` for about `seconds`, on top of the filled table. */
  atGroupSize(rows: number, seconds: number): RawInsertResult {
    const size = Math.max(1, Math.round(rows));
    // Prepared ahead: enough rows for the time at a generous rate, capped.
    const total = Math.min(400_000, Math.max(size * 20, Math.round(seconds * 40_000)));
    this.history = new LogHistory(total);
    return this.insert(total, size, seconds * 1000, false);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.checkpointer.once('exit', resolve));
    this.checkpointer.ref(); // held until its final checkpoint is done
    this.checkpointer.postMessage('close');
    await exited;
    this.db.close();
  }

  private insert(total: number, size: number, maxMs: number, progress: boolean): RawInsertResult {
    const prepared: Row[][] = [];
    let done = 0;
    let timedMs = 0;
    let cpuMicros = 0;
    let tailMs = 0;
    let tailRows = 0;
    let commitTotal = 0;
    let commitMax = 0;
    let transactions = 0;
    // Across the whole call: the checkpointer writes between transactions too.
    const writtenBefore = writtenBytes();
    // Time-boxed probes prepare all their rows first; the fill prepares chunk by chunk.
    if (Number.isFinite(maxMs)) {
      for (let k = 0; k < total; k += size) prepared.push(this.rows(Math.min(size, total - k)));
    }
    while (done < total && timedMs < maxMs) {
      const rows = prepared.shift() ?? this.rows(Math.min(size, total - done));
      const cpu = process.cpuUsage();
      const start = performance.now();
      this.begin.run();
      for (const r of rows) this.insertEntry.run(...r);
      const beforeCommit = performance.now();
      this.commit.run();
      this.afterCommit?.(false);
      const end = performance.now();
      cpuMicros += cpuTime(cpu);
      commitTotal += end - beforeCommit;
      commitMax = Math.max(commitMax, end - beforeCommit);
      timedMs += end - start;
      if (done >= total * 0.8) {
        tailMs += end - start;
        tailRows += rows.length;
      }
      done += rows.length;
      transactions++;
      if (progress && transactions % 10 === 0)
        log(`raw SQLite: ${done} rows, ${Math.round(done / (timedMs / 1000))} rows/s`);
    }
    if (this.afterCommit) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      this.afterCommit(true);
      cpuMicros += cpuTime(cpu);
      timedMs += performance.now() - start;
    }
    return {
      rows: done,
      transactionRows: size,
      seconds: timedMs / 1000,
      cpuSeconds: cpuMicros / 1e6,
      eventsPerSecond: done / (timedMs / 1000),
      tailEventsPerSecond: tailRows > 0 ? tailRows / (tailMs / 1000) : done / (timedMs / 1000),
      commitMs: { mean: commitTotal / transactions, max: commitMax },
      writtenBytesPerRow: (writtenBytes() - writtenBefore) / done,
    };
  }

  /** The columns Evident's sequencer writes for these events (columnsOf in sequencer.ts). */
  private rows(count: number): Row[] {
    const history = this.history!;
    const source = HISTORY_SOURCES[this.chunk++ % HISTORY_SOURCES.length]!;
    const receivedMs = history.now();
    const received_at = new Date(receivedMs).toISOString();
    return history.next(count, source).map((submitted) => {
      const record = buildRecord(submitted, { id: submitted.id!, received_at, source });
      const text = canonicalRecord(record);
      return [
        this.seq++,
        record.id,
        source,
        record.actor.id,
        record.action,
        record.target?.type ?? null,
        record.target?.id ?? null,
        record.outcome,
        Date.parse(record.time),
        receivedMs,
        text,
        leafHash(text),
      ];
    });
  }
}

/** PASSIVE checkpoints every 250 ms (as the store does) from a second connection, on a worker thread. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const run = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')'); } catch {} };
const timer = setInterval(() => run('PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  run('TRUNCATE');
  db.close();
  process.exit(0);
});
`;
