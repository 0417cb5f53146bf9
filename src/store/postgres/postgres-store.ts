import { Pool, type QueryResult } from 'pg';
import { Mutex } from '../../util/mutex.js';
import { facetCounts } from '../facet-sql.js';
import { int, type Row, toCheckpoint, toEntry, toFullEntry, toKey, toStateDoc } from '../rows.js';
import { endableRunner, type QueryRunner, queryBuilder } from '../sql/query-runner.js';
import { insertTableRows, scanTableRows } from '../sql/table-copy.js';
import { assertOutsideTransactionOf, runInTransactionOf } from '../sql/transaction-scope.js';
import type {
  AppendTransaction,
  EntryFilter,
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
import { PgAppendTransaction } from './append-transaction.js';
import { parseTarget } from './connection.js';
import { migrate } from './migrate.js';
import { PayloadMonths } from './payload-months.js';
import { headFrom, readEntriesByIds, readHead, readMeta, readNodes, writeMeta } from './queries.js';
import { pgRunner } from './state-runner.js';
import { type Statements, statementsFor } from './statements.js';

export interface PostgresStoreOptions {
  /** The schema holding this log; overrides `?schema=` in the URL. Created if missing. */
  schema?: string;
  /** Connections in the pool (default 10): one for the appender, the rest serve reads. */
  poolSize?: number;
}

/**
 * The production store: one log per schema in a PostgreSQL database that several server
 * processes may share. Appends hold a transaction-scoped advisory lock, so writers in every
 * process are serialised in the database and never fork the tree; COMMIT with
 * synchronous_commit on returns only once the batch is durable (durable before acknowledged). Reads use the
 * pool and so only ever see committed batches.
 */
export class PostgresStore implements Store {
  /** In-process queue in front of the database lock: one pooled client waits, not many. */
  private readonly appendMutex = new Mutex();

  private readonly builder;
  private readonly payloadMonths: PayloadMonths;
  readonly state: QueryRunner;

  private constructor(
    private readonly pool: Pool,
    private readonly st: Statements,
    /** The schema this log lives in. */
    readonly schema: string,
  ) {
    this.builder = queryBuilder('postgres', schema);
    this.payloadMonths = new PayloadMonths(schema, st);
    const state = pgRunner(this.builder, pool);
    // A write on another pooled connection would wait for row locks the transaction holds.
    this.state = {
      ...state,
      run: (query) => {
        assertOutsideTransactionOf(this, 'a write through store.state');
        return state.run(query);
      },
    };
  }

  /** Opens the log at `url` (`postgres://user@host/db?schema=name`), migrating on the way. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const target = parseTarget(url);
    const pool = new Pool({
      connectionString: target.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'evident',
    });
    // An idle client that loses its connection is dropped by the pool; without a listener the
    // 'error' event would crash the process. The next query reports the outage instead.
    pool.on('error', () => undefined);
    try {
      const schema = await migrate(pool, options.schema ?? target.schema);
      return new PostgresStore(pool, statementsFor(schema), schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async append<T>(fn: (tx: AppendTransaction) => Promise<T>): Promise<T> {
    assertOutsideTransactionOf(this, 'an append');
    return this.appendMutex.run(async () => {
      const client = await this.pool.connect();
      const tx = new PgAppendTransaction(client, this.st, this.builder, this.payloadMonths);
      let broken: Error | undefined;
      try {
        // Several statements in one simple query: pg answers with one result per statement.
        const begun: QueryResult<Row> | QueryResult<Row>[] = await client.query<Row>(this.st.begin);
        tx.begun(headFrom((Array.isArray(begun) ? begun.at(-1)! : begun).rows));
        const result = await runInTransactionOf(this, () => fn(tx));
        tx.end();
        const done = await client.query('COMMIT');
        // A statement that failed inside fn (and was caught there) aborted the transaction;
        // PostgreSQL then answers COMMIT with ROLLBACK. Nothing was written: say so.
        if (done.command !== 'COMMIT') {
          throw new Error('the append was rolled back: a statement inside it failed');
        }
        return result;
      } catch (error) {
        tx.end();
        this.payloadMonths.forget();
        // After a failed COMMIT there is no transaction left; ROLLBACK then only warns.
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw error;
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: the pool discards it.
        client.release(broken);
      }
    });
  }

  async transaction<T>(fn: (tx: QueryRunner) => Promise<T>): Promise<T> {
    assertOutsideTransactionOf(this, 'a transaction');
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const { runner: tx, end } = endableRunner(pgRunner(this.builder, client));
    try {
      await client.query('BEGIN');
      const result = await runInTransactionOf(this, () => fn(tx));
      end();
      const done = await client.query('COMMIT');
      if (done.command !== 'COMMIT') {
        throw new Error('the state transaction was rolled back: a statement inside it failed');
      }
      return result;
    } catch (error) {
      end();
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  scanTable(table: string, pageSize: number): AsyncIterable<Record<string, unknown>[]> {
    return scanTableRows(this.state, table, pageSize);
  }

  async insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.transaction((tx) => insertTableRows(tx, table, rows));
  }

  async head(): Promise<LogHead | undefined> {
    return readHead(this.pool, this.st);
  }

  async entryById(id: string): Promise<StoredEntry | undefined> {
    const { rows } = await this.pool.query<Row>(this.st.entryById, [id]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    return readEntriesByIds(this.pool, this.st, ids);
  }

  async entryBySeq(seq: number): Promise<StoredEntry | undefined> {
    const { rows } = await this.pool.query<Row>(this.st.entryBySeq, [seq]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    const { rows } = await this.pool.query<Row>(this.st.entryRange, [start, end]);
    return rows.map(toEntry);
  }

  async search(filter: EntryFilter): Promise<StoredEntry[]> {
    const { text, values } = this.st.search(filter);
    const { rows } = await this.pool.query<Row>(text, values);
    return rows.map(toEntry);
  }

  async searchFacets(filter: EntryFilter, options: FacetOptions): Promise<FacetCounts> {
    const { text, values } = this.st.searchFacets(filter, options);
    const { rows } = await this.pool.query<Row>(text, values);
    return facetCounts(rows);
  }

  async firstSeqReceivedAtOrAfter(ms: number): Promise<number> {
    const { rows } = await this.pool.query<Row>(this.st.firstSeqAtOrAfter, [ms]);
    if (rows[0]) return int(rows[0].seq);
    return (await this.head())?.size ?? 0;
  }

  async nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>> {
    return readNodes(this.pool, this.st, ids);
  }

  async checkpoint(size: number): Promise<StoredCheckpoint | undefined> {
    const { rows } = await this.pool.query<Row>(this.st.checkpointBySize, [size]);
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  async *scanEntries(fromSeq: number, pageSize: number): AsyncIterable<NewEntry[]> {
    let next = fromSeq;
    for (;;) {
      const { rows } = await this.pool.query<Row>(this.st.scanEntries, [next, pageSize]);
      if (rows.length === 0) return;
      const page = rows.map(toFullEntry);
      yield page;
      next = page[page.length - 1]!.seq + 1;
    }
  }

  async *scanCheckpoints(pageSize: number): AsyncIterable<StoredCheckpoint[]> {
    let next = 0;
    for (;;) {
      const { rows } = await this.pool.query<Row>(this.st.scanCheckpoints, [next, pageSize]);
      if (rows.length === 0) return;
      const page = rows.map(toCheckpoint);
      yield page;
      next = page[page.length - 1]!.size + 1;
    }
  }

  async nodesAtLevel(level: number, fromIndex: number, limit: number): Promise<StoredNode[]> {
    const { rows } = await this.pool.query<Row>(this.st.nodesAtLevel, [level, fromIndex, limit]);
    return rows.map((r) => ({
      level: int(r.level),
      index: int(r.idx),
      hash: r.hash as Uint8Array,
    }));
  }

  async counts(): Promise<{ entries: number; nodes: number; checkpoints: number; maxSeq: number }> {
    const { rows } = await this.pool.query<Row>(this.st.counts);
    const row = rows[0]!;
    return {
      entries: int(row.entries),
      nodes: int(row.nodes),
      checkpoints: int(row.checkpoints),
      maxSeq: row.max_seq === null ? -1 : int(row.max_seq),
    };
  }

  async getMeta(key: string): Promise<string | undefined> {
    return readMeta(this.pool, this.st, key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await writeMeta(this.pool, this.st, key, value);
  }

  async addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void> {
    await this.pool.query(this.st.insertCosignature, [size, witness, line, atMs]);
  }

  async cosignatures(size: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ line: string }>(this.st.cosignatures, [size]);
    return rows.map((row) => row.line);
  }

  async insertIngestKey(key: IngestKeyRow): Promise<void> {
    await this.pool.query(this.st.insertKey, [
      key.id,
      key.source,
      key.secretHash,
      key.label,
      key.createdAtMs,
      key.revokedAtMs,
    ]);
  }

  async ingestKey(id: string): Promise<IngestKeyRow | undefined> {
    const { rows } = await this.pool.query<Row>(this.st.keyById, [id]);
    return rows[0] ? toKey(rows[0]) : undefined;
  }

  async ingestKeys(): Promise<IngestKeyRow[]> {
    const { rows } = await this.pool.query<Row>(this.st.keys);
    return rows.map(toKey);
  }

  async revokeIngestKey(id: string, atMs: number): Promise<boolean> {
    const { rows } = await this.pool.query<Row>(this.st.revokeKey, [id, atMs]);
    return rows[0]?.found === true;
  }

  async getState(kind: string, id: string): Promise<StateDoc | undefined> {
    const { rows } = await this.pool.query<Row>(this.st.getState, [kind, id]);
    return rows[0] ? toStateDoc(rows[0]) : undefined;
  }

  async listState(kind: string, options: StateListOptions): Promise<StateDoc[]> {
    const { rows } = options.reverse
      ? options.after === undefined
        ? await this.pool.query<Row>(this.st.stateDescFirst, [kind, options.limit])
        : await this.pool.query<Row>(this.st.stateDesc, [kind, options.after, options.limit])
      : options.after === undefined
        ? await this.pool.query<Row>(this.st.stateAscFirst, [kind, options.limit])
        : await this.pool.query<Row>(this.st.stateAsc, [kind, options.after, options.limit]);
    return rows.map(toStateDoc);
  }

  async putState(
    kind: string,
    id: string,
    value: string,
    expectedVersion: number,
    atMs: number,
  ): Promise<boolean> {
    const result =
      expectedVersion === 0
        ? await this.pool.query(this.st.createState, [kind, id, value, atMs])
        : await this.pool.query(this.st.replaceState, [kind, id, value, expectedVersion, atMs]);
    return result.rowCount === 1;
  }

  async deleteState(kind: string, id: string, expectedVersion: number): Promise<boolean> {
    const result = await this.pool.query(this.st.deleteState, [kind, id, expectedVersion]);
    return result.rowCount === 1;
  }

  async *scanState(pageSize: number): AsyncIterable<StateDoc[]> {
    let last: StateDoc | undefined;
    for (;;) {
      const { rows } =
        last === undefined
          ? await this.pool.query<Row>(this.st.scanStateFirst, [pageSize])
          : await this.pool.query<Row>(this.st.scanState, [last.kind, last.id, pageSize]);
      if (rows.length === 0) return;
      const page = rows.map(toStateDoc);
      yield page;
      last = page[page.length - 1];
    }
  }

  async insertState(docs: readonly StateDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.pool.query(this.st.insertState, [
      docs.map((d) => d.kind),
      docs.map((d) => d.id),
      docs.map((d) => d.value),
      docs.map((d) => d.version),
      docs.map((d) => d.updatedAtMs),
    ]);
  }

  async close(): Promise<void> {
    await this.appendMutex.run(async () => {
      // pg refuses a second end(); closing twice is harmless, as with the SQLite adapter.
      if (!this.pool.ended) await this.pool.end();
    });
  }
}
