import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { ipInNetwork } from '../../util/ip-network.js';
import { Mutex } from '../../util/mutex.js';
import { ensurePrivateDir, ensurePrivateFile } from '../../util/private-files.js';
import { facetCounts, facetSql } from '../facet-sql.js';
import {
  type Row,
  toCheckpoint,
  toEntry,
  toFullEntryFromColumns,
  toKey,
  toStateDoc,
} from '../rows.js';
import { bucketsIn, searchSql } from '../search-sql.js';
import {
  type Execute,
  endableRunner,
  isRead,
  type QueryResult,
  type QueryRunner,
  queryBuilder,
  queryRunner,
} from '../sql/query-runner.js';
import { sqliteParameters } from '../sql/sqlite-parameters.js';
import { insertTableRows, scanTableRows } from '../sql/table-copy.js';
import { assertOutsideTransactionOf, runInTransactionOf } from '../sql/transaction-scope.js';
import type {
  AppendBatch,
  AppendTransaction,
  EntryFilter,
  ExpectedHead,
  FacetCounts,
  FacetOptions,
  IngestKeyRow,
  LogHead,
  NewEntry,
  StateDoc,
  StateListOptions,
  Store,
  StoredCheckpoint,
  StoredEntry,
  StoredNode,
} from '../store.js';
import { prefixUpperBound } from '../store.js';
import {
  migrate,
  openDatabase,
  prepareReads,
  type ReadStatements,
  readEntriesByIds,
  readHead,
  readNodes,
} from './connection.js';
import { packBatch } from './packed-batch.js';
import { SQLITE_KEY_TABLES, SQLITE_SEARCH } from './search-dialect.js';
import { StatementCache } from './statement-cache.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WriterClient } from './writer-client.js';

const ENTRY_COLUMNS = 'seq, id, source, leaf_hash, record, time_ms, received_at_ms';

/** A prefix matching at least this many rows is not looked up through its index. */
const PREFIX_PROBE = 10_000;
/** Every bucket of the key tables, for a probe that is not one search's page. */
const ALL_KEY_BUCKETS = bucketsIn({}, SQLITE_KEY_TABLES, () => {
  throw new Error('no seq range, so no parameters');
});

/**
 * SQLite's page cache per connection, in MiB (each one is resident once filled: it is most of a
 * server's memory beside the V8 heap). Reads keep 64: searches and proofs revisit index pages.
 * The writer gets 16: appends touch the right edge of each B-tree, and the key tables' rows
 * go into the newest bucket of 2^16 seqs (key-batch.ts), a few MB of pages per table; older
 * buckets are never written again. Random event ids spread over the id index, which outgrows
 * any cache size within a few million rows, so those leaves come from the OS page cache
 * either way. 32 MiB ingested at the same rate with 20 MB more RSS (BENCHMARKS.md).
 */
export const READ_CACHE_MIB = 64;
export const WRITER_CACHE_MIB = 16;

export interface SqliteStoreOptions {
  /** Page cache of the reading connections, in MiB (READ_CACHE_MIB). */
  cacheMiB?: number;
  /** Page cache of the writer thread's connection, in MiB (WRITER_CACHE_MIB). */
  writerCacheMiB?: number;
  readonly?: boolean;
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a COMMIT returns
 * only after the WAL is fsynced (durable before acknowledged). Writes run on a writer thread
 * (writer-thread.ts) inside BEGIN IMMEDIATE, which also serialises writers in other
 * processes (the CLI beside a server); WAL checkpoints run on another (wal-checkpointer.ts).
 * Reads use a connection on the calling thread and only ever see committed batches.
 */
export class SqliteStore implements Store {
  private readonly appendMutex = new Mutex();
  /** Searches and state reads built at run time, on the reading connection. */
  private readonly statements: StatementCache;
  private readonly r: ReadStatements;
  private readonly builder = queryBuilder('sqlite');
  readonly state: QueryRunner;

  private constructor(
    private readonly reader: Database.Database,
    private readonly writer: WriterClient | undefined,
    private readonly checkpointer: WalCheckpointer | undefined,
  ) {
    // SQLite has no address type: CIDR matching of search is this function (same meaning
    // as PostgreSQL's inet <<=).
    reader.function('evident_ip_in', { deterministic: true }, (ip, network) =>
      ipInNetwork(ip, String(network)) ? 1 : 0,
    );
    this.r = prepareReads(reader);
    this.statements = new StatementCache(reader);
    // Reads of committed state on this thread; a write commits alone, in line with appends.
    this.state = queryRunner('sqlite', this.builder, (query, mode) =>
      isRead(query) ? this.readState(query.sql, query.parameters) : this.writeState(query, mode),
    );
  }

  private async readState(text: string, parameters: readonly unknown[]): Promise<QueryResult> {
    const statement = this.statements.get(text);
    const rows = statement.all(...sqliteParameters(parameters)) as Record<string, unknown>[];
    return { rows, changes: 0 };
  }

  private writeState: Execute = (query, mode) => {
    assertOutsideTransactionOf(this, 'a write through store.state');
    const w = this.w;
    return this.appendMutex.run(() =>
      w.call<QueryResult>('exec', query.sql, query.parameters, mode),
    );
  };

  /** Queries on the writer inside its open transaction; `before` flushes an append's pending insert. */
  private writerRunner(w: WriterClient, before?: () => Promise<void>): QueryRunner {
    return queryRunner('sqlite', this.builder, async (query, mode) => {
      await before?.();
      return w.call<QueryResult>('exec', query.sql, query.parameters, mode);
    });
  }

  async transaction<T>(fn: (tx: QueryRunner) => Promise<T>): Promise<T> {
    assertOutsideTransactionOf(this, 'a transaction');
    const w = this.w;
    return this.appendMutex.run(async () => {
      await w.call('beginState');
      // After COMMIT a kept `tx` would write outside any transaction: it refuses instead.
      const { runner, end } = endableRunner(this.writerRunner(w));
      try {
        const result = await runInTransactionOf(this, () => fn(runner));
        end();
        await w.call('commit');
        return result;
      } catch (error) {
        end();
        await w.call('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  scanTable(table: string, pageSize: number): AsyncIterable<Record<string, unknown>[]> {
    return scanTableRows(this.state, table, pageSize);
  }

  async insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.transaction((tx) => insertTableRows(tx, table, rows));
  }

  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const cacheKiB = (options.cacheMiB ?? READ_CACHE_MIB) * 1024;
    const writerCacheKiB = (options.writerCacheMiB ?? WRITER_CACHE_MIB) * 1024;
    if (options.readonly)
      return new SqliteStore(openDatabase(file, true, cacheKiB), undefined, undefined);
    // Create and migrate on this thread, so a bad folder fails here with a clear error.
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    const setup = openDatabase(file, false, cacheKiB);
    try {
      migrate(setup);
    } finally {
      setup.close();
    }
    return new SqliteStore(
      openDatabase(file, true, cacheKiB),
      new WriterClient(file, writerCacheKiB),
      new WalCheckpointer(file),
    );
  }

  private get w(): WriterClient {
    if (!this.writer) throw new Error('this store was opened read-only');
    return this.writer;
  }

  async append<T>(fn: (tx: AppendTransaction) => Promise<T>): Promise<T> {
    assertOutsideTransactionOf(this, 'an append');
    const w = this.w;
    return this.appendMutex.run(async () => {
      const head = await w.call<LogHead | undefined>('begin');
      // The last insert of an append travels with its COMMIT (one thread round trip, not two).
      let pending: AppendBatch | undefined;
      const state = endableRunner(this.writerRunner(w, () => flush()));
      const flush = async () => {
        if (pending === undefined) return;
        const { packed, transfer } = packBatch(pending);
        pending = undefined;
        await w.callTransferring('insert', [packed], transfer);
      };
      try {
        const result = await runInTransactionOf(this, () =>
          fn({
            // The head cannot move while we hold the write lock.
            head: async () => head,
            entriesByIds: async (ids) => {
              await flush();
              return new Map(
                (await w.call<StoredEntry[]>('entriesByIds', ids)).map((e) => [e.id, e]),
              );
            },
            nodes: async (ids) => {
              await flush();
              return new Map(await w.call<[string, Uint8Array][]>('nodes', ids));
            },
            insert: async (batch) => {
              await flush();
              pending = batch;
            },
            getMeta: async (key) => {
              await flush();
              return w.call<string | undefined>('getMeta', key);
            },
            state: state.runner,
            setMeta: async (key, value) => {
              await flush();
              await w.call('setMeta', key, value);
            },
          }),
        );
        state.end();
        if (pending === undefined) await w.call('commit');
        else {
          const { packed, transfer } = packBatch(pending);
          await w.callTransferring('insertAndCommit', [packed], transfer);
        }
        return result;
      } catch (error) {
        state.end();
        await w.call('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One message to the writer thread: BEGIN, the head check, the rows and COMMIT. The batch is
   * packed before the lock, and the lock is held only while the message is posted: the writer
   * takes its messages in order, so whatever is posted after this waits behind it there. Under
   * load the next batch is already queued on the writer when the one ahead commits, and the
   * writer goes on with it at once; with `append` it sent BEGIN's answer back and waited, lock
   * held, until the event loop had a turn to send the rows (measured: 19 ms at the median
   * with arrays of 500, over a quarter of the writer's time).
   */
  async appendIfHead(expected: ExpectedHead, batch: AppendBatch): Promise<boolean> {
    assertOutsideTransactionOf(this, 'an append');
    const w = this.w;
    const { packed, transfer } = packBatch(batch);
    let committed: Promise<boolean> | undefined;
    await this.appendMutex.run(async () => {
      committed = w.callTransferring<boolean>('appendIfHead', [expected, packed], transfer);
    });
    return committed!;
  }

  /** A single write outside any append (settings, keys): serialised with appends. */
  private write(op: string, ...args: unknown[]): Promise<void> {
    const w = this.w;
    return this.appendMutex.run(() => w.call(op, ...args));
  }

  async head(): Promise<LogHead | undefined> {
    return readHead(this.r);
  }

  async entryById(id: string): Promise<StoredEntry | undefined> {
    const row = this.r.entryById.get(id) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    return new Map(readEntriesByIds(this.r, ids).map((e) => [e.id, e]));
  }

  async entryBySeq(seq: number): Promise<StoredEntry | undefined> {
    const row = this.r.entryBySeq.get(seq) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    return (this.r.entryRange.all(start, end) as Row[]).map(toEntry);
  }

  async search(filter: EntryFilter): Promise<StoredEntry[]> {
    const { text, values } = searchSql(filter, ENTRY_COLUMNS, 'entries', {
      ...SQLITE_SEARCH,
      unindexedPrefixes: this.commonPrefixes(filter),
    });
    const statement = this.statements.get(text);
    return (statement.all(...values) as Row[]).map(toEntry);
  }

  async searchFacets(filter: EntryFilter, options: FacetOptions): Promise<FacetCounts> {
    const { text, values } = facetSql(filter, options, 'entries', {
      ...SQLITE_SEARCH,
      unindexedPrefixes: this.commonPrefixes(filter),
    });
    const statement = this.statements.get(text);
    return facetCounts(statement.all(...values) as Row[]);
  }

  /**
   * SQLite has no statistics on a range's size: a prefix range of its (column, seq) index
   * is read whole and sorted by seq. When a prefix matches at least PREFIX_PROBE rows,
   * walking seq backwards and filtering finds a newest-first page sooner. Counting stops
   * at PREFIX_PROBE index entries, so the probe itself stays cheap.
   */
  private commonPrefixes(filter: EntryFilter): Set<'action' | 'target_id'> | undefined {
    if (filter.order === 'time') return undefined;
    const common = new Set<'action' | 'target_id'>();
    for (const [column, prefix] of [
      ['action', filter.actionPrefix],
      ['target_id', filter.targetPrefix],
    ] as const) {
      if (prefix === undefined || prefix === '') continue;
      // Target ids are counted in their key table (migrations 14 and 16), a seek per bucket;
      // the unkeyed tail is small.
      const sql =
        column === 'target_id'
          ? `SELECT count(*) AS n FROM (SELECT 1 FROM entry_target_keys WHERE ${ALL_KEY_BUCKETS} AND target >= ? AND target < ? LIMIT ${PREFIX_PROBE})`
          : `SELECT count(*) AS n FROM (SELECT 1 FROM entries WHERE ${column} >= ? AND ${column} < ? LIMIT ${PREFIX_PROBE})`;
      const statement = this.statements.get(sql);
      const row = statement.get(prefix, prefixUpperBound(prefix)) as Row;
      if (Number(row.n) >= PREFIX_PROBE) common.add(column);
    }
    return common.size > 0 ? common : undefined;
  }

  async firstSeqReceivedAtOrAfter(ms: number): Promise<number> {
    const row = this.r.firstSeqAtOrAfter.get(ms) as Row | undefined;
    if (row) return Number(row.seq);
    return readHead(this.r)?.size ?? 0;
  }

  async nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>> {
    return readNodes(this.r, ids);
  }

  async checkpoint(size: number): Promise<StoredCheckpoint | undefined> {
    const row = this.r.checkpointBySize.get(size) as Row | undefined;
    return row ? toCheckpoint(row) : undefined;
  }

  async *scanEntries(fromSeq: number, pageSize: number): AsyncIterable<NewEntry[]> {
    let next = fromSeq;
    for (;;) {
      const rows = this.r.scanEntries.all(next, pageSize) as unknown[][];
      if (rows.length === 0) return;
      yield rows.map(toFullEntryFromColumns);
      next = Number(rows[rows.length - 1]![0]) + 1;
    }
  }

  async *scanCheckpoints(pageSize: number): AsyncIterable<StoredCheckpoint[]> {
    let next = 0;
    for (;;) {
      const rows = this.r.scanCheckpoints.all(next, pageSize) as Row[];
      if (rows.length === 0) return;
      yield rows.map(toCheckpoint);
      next = Number(rows[rows.length - 1]!.size) + 1;
    }
  }

  async nodesAtLevel(level: number, fromIndex: number, limit: number): Promise<StoredNode[]> {
    const rows = this.r.nodesAtLevel.all(level, fromIndex, limit) as Row[];
    return rows.map((r) => ({
      level: Number(r.level),
      index: Number(r.idx),
      hash: r.hash as Uint8Array,
    }));
  }

  async counts(): Promise<{ entries: number; nodes: number; checkpoints: number; maxSeq: number }> {
    const row = this.r.counts.get() as Row;
    return {
      entries: Number(row.entries),
      nodes: Number(row.nodes),
      checkpoints: Number(row.checkpoints),
      maxSeq: row.max_seq === null ? -1 : Number(row.max_seq),
    };
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.r.getMeta.get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.write('setMeta', key, value);
  }

  async addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void> {
    await this.write('addCosignature', size, witness, line, atMs);
  }

  async cosignatures(size: number): Promise<string[]> {
    return (this.r.cosignatures.all(size) as Row[]).map((row) => String(row.line));
  }

  async insertIngestKey(key: IngestKeyRow): Promise<void> {
    await this.write('insertKey', key);
  }

  async ingestKey(id: string): Promise<IngestKeyRow | undefined> {
    const row = this.r.keyById.get(id) as Row | undefined;
    return row ? toKey(row) : undefined;
  }

  async ingestKeys(): Promise<IngestKeyRow[]> {
    return (this.r.keys.all() as Row[]).map(toKey);
  }

  async revokeIngestKey(id: string, atMs: number): Promise<boolean> {
    await this.write('revokeKey', atMs, id);
    return this.r.keyById.get(id) !== undefined;
  }

  async getState(kind: string, id: string): Promise<StateDoc | undefined> {
    const row = this.r.getState.get(kind, id) as Row | undefined;
    return row ? toStateDoc(row) : undefined;
  }

  async listState(kind: string, options: StateListOptions): Promise<StateDoc[]> {
    const rows = options.reverse
      ? options.after === undefined
        ? this.r.stateDescFirst.all(kind, options.limit)
        : this.r.stateDesc.all(kind, options.after, options.limit)
      : options.after === undefined
        ? this.r.stateAscFirst.all(kind, options.limit)
        : this.r.stateAsc.all(kind, options.after, options.limit);
    return (rows as Row[]).map(toStateDoc);
  }

  async putState(
    kind: string,
    id: string,
    value: string,
    expectedVersion: number,
    atMs: number,
  ): Promise<boolean> {
    const w = this.w;
    return this.appendMutex.run(() =>
      w.call<boolean>('putState', kind, id, value, expectedVersion, atMs),
    );
  }

  async deleteState(kind: string, id: string, expectedVersion: number): Promise<boolean> {
    const w = this.w;
    return this.appendMutex.run(() => w.call<boolean>('deleteState', kind, id, expectedVersion));
  }

  async *scanState(pageSize: number): AsyncIterable<StateDoc[]> {
    let last: StateDoc | undefined;
    for (;;) {
      const rows = (
        last === undefined
          ? this.r.scanStateFirst.all(pageSize)
          : this.r.scanState.all(last.kind, last.id, pageSize)
      ) as Row[];
      if (rows.length === 0) return;
      const page = rows.map(toStateDoc);
      yield page;
      last = page[page.length - 1];
    }
  }

  async insertState(docs: readonly StateDoc[]): Promise<void> {
    if (docs.length > 0) await this.write('insertState', docs);
  }

  async close(): Promise<void> {
    await this.appendMutex.run(async () => {
      await this.writer?.close();
      this.reader.close();
    });
    await this.checkpointer?.close();
  }
}
