import type { QueryRunner } from './sql/query-runner.js';

/**
 * The Store port: everything the log needs from a database. Adapters (sqlite/, later
 * postgres/) implement it and pass one conformance suite (test/store/). Backend differences
 * live inside the adapters, never in callers.
 */

/** A complete subtree hash: `level` is its height, leaves [index·2^level, (index+1)·2^level). */
export interface StoredNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** One leaf of the log as stored: `record` is the canonical (RFC 8785) text that was hashed. */
export interface StoredEntry {
  seq: number;
  id: string;
  source: string;
  leafHash: Uint8Array;
  record: string;
  /** `time` and `received_at` of the record in ms (stored columns; the verifier checks them). */
  timeMs: number;
  receivedAtMs: number;
}

/** A new leaf plus the columns the search filters use (all derived from `record`). */
export interface NewEntry extends StoredEntry {
  actorId: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
}

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, byte for byte as it was handed out. */
  note: string;
  createdAtMs: number;
}

/** The committed state the next batch extends. */
export interface LogHead {
  size: number;
  rootHash: Uint8Array;
  checkpoint: StoredCheckpoint;
  /** received_at of the newest leaf, so server time never runs backwards along the log. */
  lastReceivedAtMs: number;
}

export interface AppendBatch {
  entries: NewEntry[];
  nodes: StoredNode[];
  checkpoint: StoredCheckpoint;
}

/**
 * The head a batch was planned on: `appendIfHead` writes the batch only if the committed head
 * is exactly this one. The note is compared too: a key rotation writes a new checkpoint at the
 * same size and root, and a batch signed before it must not follow it.
 */
export interface ExpectedHead {
  size: number;
  rootHash: Uint8Array;
  note: string;
}

/**
 * A writer's view inside the append lock. Everything read here is committed state, and no
 * other writer (thread or process) can append until the transaction ends.
 */
export interface AppendTransaction {
  head(): Promise<LogHead | undefined>;
  entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>>;
  nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>>;
  insert(batch: AppendBatch): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** The state tables inside the append transaction: they commit with the entries, or not at all. */
  readonly state: QueryRunner;
}

export interface EntryFilter {
  actor?: string;
  /** Exact `actor.name` (read from the record: not indexed, narrow with other filters). */
  actorName?: string;
  action?: string;
  /** Actions that start with this text (`customer.` for `customer.*`): an index range. */
  actionPrefix?: string;
  target?: string;
  /** Target ids that start with this text: an index range. */
  targetPrefix?: string;
  targetType?: string;
  outcome?: string;
  source?: string;
  /** `actor.ip` inside this network (`10.0.0.0/8`, `2001:db8::/32`; a host is /32 or /128). */
  ip?: IpNetwork;
  /**
   * A reader's source scope: only entries whose source is one of `exact` or starts with one
   * of `prefixes` (both empty: nothing). Absent: every source.
   */
  sources?: SourcePatterns;
  /** Only seqs in [fromSeq, toSeq). */
  fromSeq?: number;
  toSeq?: number;
  /** Only the source's `time` in [timeFromMs, timeToMs] (both inclusive). */
  timeFromMs?: number;
  timeToMs?: number;
  /**
   * `received` (default): newest first by seq. `time`: newest first by the source's `time`,
   * ties by seq; `before` then continues a previous page (keyset).
   */
  order?: 'received' | 'time';
  before?: { timeMs: number; seq: number };
  limit: number;
}

/** The indexed columns a search can be counted by. */
export const FACET_COLUMNS = {
  source: 'source',
  action: 'action',
  outcome: 'outcome',
  actor: 'actor_id',
} as const;
export type Facet = keyof typeof FACET_COLUMNS;

export interface FacetOptions {
  /** The commonest values kept per facet (ties by value). */
  top: number;
  /** Width of the activity buckets by the source's `time` (absent: none). */
  bucketMs?: number;
}

export interface FacetCounts {
  /** Matches counted (at most the filter's limit). */
  scanned: number;
  /** Per facet, commonest first. */
  facets: Record<Facet, { value: string; count: number }[]>;
  /** Activity by bucket start (epoch ms), oldest first; empty without `bucketMs`. */
  buckets: { startMs: number; count: number }[];
}

/** A parsed CIDR network: `address` as the canonical text node:net prints, `prefix` its length. */
export interface IpNetwork {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

export interface IngestKeyRow {
  id: string;
  source: string;
  secretHash: Uint8Array;
  label: string | null;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/**
 * One document of the log's own state (principals, tokens, sessions, alerts, rule positions…):
 * JSON text under (kind, id), with a version for compare-and-set. Entries never live here;
 * this is the mutable configuration beside the append-only log, and every change a person
 * makes to it is also appended to the log as an event (the log audits itself).
 */
export interface StateDoc {
  kind: string;
  id: string;
  /** JSON text. */
  value: string;
  /** 1 after creation, +1 on every replace. */
  version: number;
  updatedAtMs: number;
}

export interface StateListOptions {
  /** Only ids strictly after (or, with `reverse`, before) this one. */
  after?: string;
  /** Newest-id-first instead of id order. */
  reverse?: boolean;
  limit: number;
}

export interface Store {
  /** Run `fn` as the only appender of the log; commits (durably) when it resolves. */
  append<T>(fn: (tx: AppendTransaction) => Promise<T>): Promise<T>;
  /**
   * Appends `batch` and commits durably, as the only appender, if the committed head is still
   * `expected` (expected-head.ts); otherwise writes nothing and resolves false. For an adapter
   * that can do all of it in one step: the SQLite writer thread takes the batch from its queue
   * the moment the batch ahead has committed, without waiting for the event loop between
   * BEGIN and INSERT. Without it (PostgreSQL) the sequencer checks the head inside `append`,
   * where a plan that no longer applies is made again under the same lock: several servers
   * share a PostgreSQL log, their plans often meet a head another one moved, and taking the
   * lock a second time for those cost three processes 11-34% of their rate (measured).
   */
  appendIfHead?(expected: ExpectedHead, batch: AppendBatch): Promise<boolean>;

  /**
   * The typed state tables (src/store/tables/), committed state: reads see only committed
   * rows; a write here commits on its own. Inside `transaction` or an append use `tx` instead
   * (on SQLite a write here from inside one would wait for the transaction it is part of).
   */
  readonly state: QueryRunner;
  /**
   * Runs `fn` as ONE write transaction over the state tables (not the log): durable when it
   * resolves, rolled back when it throws (the error propagates). On SQLite it holds the writer
   * (serialised with appends); on PostgreSQL it is one pooled client, BEGIN … COMMIT. For a
   * state change that has a log event use SelfAudit.recordWithin, which commits both together.
   */
  transaction<T>(fn: (tx: QueryRunner) => Promise<T>): Promise<T>;
  /** Every row of a state table (state-tables.ts), in primary-key order, in pages (evident migrate). */
  scanTable(table: string, pageSize: number): AsyncIterable<Record<string, unknown>[]>;
  /** Writes rows as another store's scanTable gave them; all or nothing per call. */
  insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;

  head(): Promise<LogHead | undefined>;
  entryById(id: string): Promise<StoredEntry | undefined>;
  /** Committed entries with these ids (outside any append; the sequencer's pre-check). */
  entriesByIds(ids: readonly string[]): Promise<Map<string, StoredEntry>>;
  entryBySeq(seq: number): Promise<StoredEntry | undefined>;
  /** Entries with start ≤ seq < end, in seq order. */
  entries(start: number, end: number): Promise<StoredEntry[]>;
  /** Newest first. */
  search(filter: EntryFilter): Promise<StoredEntry[]>;
  /**
   * Counts per facet over the first `filter.limit` matches in the filter's order (the
   * newest): the `top` commonest values of each facet, and `bucketMs`-wide time buckets
   * when asked. One query, bounded by the limit whatever the log's size.
   */
  searchFacets(filter: EntryFilter, options: FacetOptions): Promise<FacetCounts>;
  /** The smallest seq whose received_at ≥ ms (the log size if none): received_at never decreases along seq. */
  firstSeqReceivedAtOrAfter(ms: number): Promise<number>;
  /** Complete-subtree hashes keyed `${level}/${index}`; level 0 is the leaf hash. */
  nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>>;
  checkpoint(size: number): Promise<StoredCheckpoint | undefined>;

  /**
   * Streams for offline verification: every row as stored (with its indexed columns, which
   * the verifier checks against the record), in order, in bounded pages.
   */
  scanEntries(fromSeq: number, pageSize: number): AsyncIterable<NewEntry[]>;
  scanCheckpoints(pageSize: number): AsyncIterable<StoredCheckpoint[]>;
  /** Stored nodes of one level with index ≥ fromIndex, in index order, at most `limit`. */
  nodesAtLevel(level: number, fromIndex: number, limit: number): Promise<StoredNode[]>;
  /** Row counts, so a verifier notices rows it would never reach by seq (e.g. past the head). */
  counts(): Promise<{ entries: number; nodes: number; checkpoints: number; maxSeq: number }>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Keeps a witness's cosignature line for the checkpoint of `treeSize`; the first line per
   * witness and size stays (a witness cosigns a checkpoint once; a repeat changes nothing).
   */
  addCosignature(treeSize: number, witness: string, line: string, atMs: number): Promise<void>;
  /** The cosignature lines kept for the checkpoint of `treeSize`, by witness name. */
  cosignatures(treeSize: number): Promise<string[]>;

  insertIngestKey(key: IngestKeyRow): Promise<void>;
  ingestKey(id: string): Promise<IngestKeyRow | undefined>;
  ingestKeys(): Promise<IngestKeyRow[]>;
  /** Returns false when no such key exists; revoking twice keeps the first time. */
  revokeIngestKey(id: string, atMs: number): Promise<boolean>;

  getState(kind: string, id: string): Promise<StateDoc | undefined>;
  /** Documents of one kind in id order (ULID ids make that creation order). */
  listState(kind: string, options: StateListOptions): Promise<StateDoc[]>;
  /**
   * Compare-and-set: `expectedVersion` 0 creates (fails if the id exists); n replaces version
   * n with n+1. Returns false when the document is not at `expectedVersion` (someone else
   * wrote first: another request or another server process), so callers re-read and retry.
   */
  putState(
    kind: string,
    id: string,
    value: string,
    expectedVersion: number,
    atMs: number,
  ): Promise<boolean>;
  /** Removes a document at `expectedVersion` (expired sessions, used sign-in flows). */
  deleteState(kind: string, id: string, expectedVersion: number): Promise<boolean>;
  /** Every document of every kind, in (kind, id) order, in bounded pages (evident migrate). */
  scanState(pageSize: number): AsyncIterable<StateDoc[]>;
  /**
   * Writes documents exactly as given, version and time included (evident migrate into an
   * empty store); fails, writing none of them, if any (kind, id) already exists.
   */
  insertState(docs: readonly StateDoc[]): Promise<void>;

  close(): Promise<void>;
}

export interface SourcePatterns {
  exact: readonly string[];
  prefixes: readonly string[];
}

/**
 * The least string above every string that starts with `prefix`, so adapters match a prefix
 * as the index-friendly range [prefix, upper) under byte order (sources are ASCII; the
 * PostgreSQL column is COLLATE "C"), with no LIKE wildcards to escape.
 */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  // Past U+D7FF the next code unit is a surrogate or U+FFFF (no valid successor); U+10FFFF
  // sorts above every character in UTF-8 byte order, so prefix+U+10FFFF bounds the range.
  if (last >= 0xd7ff) return `${prefix}\u{10ffff}`;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export function nodeKey(level: number, index: number): string {
  return `${level}/${index}`;
}
