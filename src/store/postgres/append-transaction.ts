import type { Kysely } from 'kysely';
import type { PoolClient } from 'pg';
import { endableRunner, type QueryRunner } from '../sql/query-runner.js';
import type { AppendBatch, AppendTransaction, LogHead, StoredEntry } from '../store.js';
import type { PayloadMonths } from './payload-months.js';
import {
  insertBatch,
  readEntriesByIds,
  readHead,
  readMeta,
  readNodes,
  writeMeta,
} from './queries.js';
import { pgRunner } from './state-runner.js';
import type { Statements } from './statements.js';

/** The appender's view: every read goes through the client that holds the lock. */
export class PgAppendTransaction implements AppendTransaction {
  private open = true;
  /** The head read with BEGIN and the lock (one round trip), until something is inserted. */
  private begunHead: { head: LogHead | undefined } | undefined;
  readonly state: QueryRunner;
  private readonly endState: () => void;

  constructor(
    private readonly client: PoolClient,
    private readonly st: Statements,
    // biome-ignore lint/suspicious/noExplicitAny: the builder is typed per repository
    builder: Kysely<any>,
    private readonly payloadMonths: PayloadMonths,
  ) {
    const scoped = endableRunner(pgRunner(builder, client));
    this.state = scoped.runner;
    this.endState = scoped.end;
  }

  /** After commit or rollback the client goes back to the pool: a kept `tx` must not use it. */
  end(): void {
    this.open = false;
    this.endState();
  }

  private db(): PoolClient {
    if (!this.open) throw new Error('this append transaction has ended');
    return this.client;
  }

  /** Keeps the head `begin` read under the lock, so the first head() costs no round trip. */
  begun(head: LogHead | undefined): void {
    this.begunHead = { head };
  }

  async head(): Promise<LogHead | undefined> {
    const db = this.db();
    if (this.begunHead) return this.begunHead.head;
    return readHead(db, this.st);
  }

  async entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    return readEntriesByIds(this.db(), this.st, ids);
  }

  async nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>> {
    return readNodes(this.db(), this.st, ids);
  }

  async insert(batch: AppendBatch): Promise<void> {
    this.begunHead = undefined;
    await this.payloadMonths.ensure(this.db(), batch.entries);
    await insertBatch(this.db(), this.st, batch);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return readMeta(this.db(), this.st, key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await writeMeta(this.db(), this.st, key, value);
  }
}
