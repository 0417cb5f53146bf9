import { facetSql } from '../facet-sql.js';
import { type SearchDialect, searchOrder, searchSql } from '../search-sql.js';
import type { EntryFilter, FacetOptions } from '../store.js';
import { appendLockSql, quoteIdent } from './connection.js';

const ENTRY_COLUMNS = 'seq, id, source, leaf_hash, record, time_ms, received_at_ms';
const FULL_ENTRY_COLUMNS =
  'seq, id, source, leaf_hash, record, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms';
const SCAN_ENTRY_COLUMNS = FULL_ENTRY_COLUMNS.replace(
  'actor_id',
  'COALESCE(actor_id, actor_digest) AS actor_id',
).replace('target_id', 'COALESCE(target_id, target_digest) AS target_id');
const CHECKPOINT_COLUMNS = 'size, root_hash, note, created_at_ms';
const KEY_COLUMNS = 'id, source, secret_hash, label, created_at_ms, revoked_at_ms';
const STATE_COLUMNS = 'kind, id, value, version, updated_at_ms';

export type Statements = ReturnType<typeof statementsFor>;

/** Every query of the store, with table names qualified by the log's schema. */
export function statementsFor(schema: string) {
  const s = quoteIdent(schema);
  const entries = `${s}.entries`;
  const payloadEntries = `${s}.entries_with_payload`;
  const leaves = `${s}.entry_leaves`;
  const payloads = `${s}.entry_payloads`;
  const nodes = `${s}.tree_nodes`;
  const checkpoints = `${s}.checkpoints`;
  const meta = `${s}.meta`;
  const keys = `${s}.ingest_keys`;
  const state = `${s}.state`;
  const dialect = postgresSearch(s);
  const cosignatures = `${s}.cosignatures`;
  // The log's newest checkpoint and last received_at (no parameters: it also ends `begin`).
  const head = `SELECT ${CHECKPOINT_COLUMNS},
             (SELECT received_at_ms FROM ${entries} ORDER BY seq DESC LIMIT 1) AS last_received_at_ms
           FROM ${checkpoints} ORDER BY size DESC LIMIT 1`;
  return {
    // One round trip (simple protocol, no parameters): begin, take the append lock, read
    // the head. READ COMMITTED is required: each statement after the lock then sees what the
    // previous lock holder committed, the head read included. A server whose default is
    // synchronous_commit=off still gets durable appends (durable before acknowledged).
    // No parallel plans under the lock: a worker's start and the Gather's waits would be
    // spent holding the only append lock (statements here are short index walks).
    begin: [
      'BEGIN ISOLATION LEVEL READ COMMITTED',
      "SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'",
      'SET LOCAL max_parallel_workers_per_gather = 0',
      appendLockSql(schema),
      head,
    ].join('; '),

    head,
    entryById: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE id = $1`,
    // One index probe per id. As `id = ANY($1)` the planner, expecting a group's ~2,000 ids
    // all to be found, chose a parallel bitmap heap scan: a worker started for every group's
    // idempotency check (IPC:ExecuteGather in 10–12% of the append connections' samples).
    entriesByIds: `SELECT ${ENTRY_COLUMNS} FROM unnest($1::text[]) AS wanted(wanted_id)
      JOIN ${entries} ON id = wanted_id`,
    entryBySeq: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE seq = $1`,
    entryRange: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE seq >= $1 AND seq < $2 ORDER BY seq`,
    firstSeqAtOrAfter: `SELECT seq FROM ${entries} WHERE received_at_ms >= $1 ORDER BY received_at_ms, seq LIMIT 1`,
    // All requested ids in one query; level 0 comes from the leaves themselves.
    nodes: `WITH q (level, idx) AS (SELECT * FROM unnest($1::int[], $2::bigint[]))
            SELECT q.level, q.idx, e.leaf_hash AS hash FROM q JOIN ${entries} e ON e.seq = q.idx WHERE q.level = 0
            UNION ALL
            SELECT q.level, q.idx, n.hash FROM q JOIN ${nodes} n ON n.level = q.level AND n.idx = q.idx WHERE q.level > 0`,
    nodesAtLevel: `SELECT level, idx, hash FROM ${nodes} WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3`,
    checkpointBySize: `SELECT ${CHECKPOINT_COLUMNS} FROM ${checkpoints} WHERE size = $1`,
    // A purged entry's ids are the digests entry_leaves keeps (its payload row is gone).
    scanEntries: `SELECT ${SCAN_ENTRY_COLUMNS} FROM ${entries} WHERE seq >= $1 ORDER BY seq LIMIT $2`,
    scanCheckpoints: `SELECT ${CHECKPOINT_COLUMNS} FROM ${checkpoints} WHERE size >= $1 ORDER BY size LIMIT $2`,
    counts: `SELECT (SELECT count(*) FROM ${entries}) AS entries, (SELECT max(seq) FROM ${entries}) AS max_seq,
                    (SELECT count(*) FROM ${nodes}) AS nodes, (SELECT count(*) FROM ${checkpoints}) AS checkpoints`,

    // A batch goes in by COPY (copy-rows.ts, queries.ts insertBatch): the payload (record
    // and ids) to its month's partition of entry_payloads, the rest to entry_leaves with
    // digests of the ids (migration 13), tree nodes to their table; its checkpoint here.
    leavesTable: leaves,
    payloadsTable: payloads,
    nodesTable: nodes,
    insertCheckpoint: `INSERT INTO ${checkpoints} (${CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4)`,
    // Creates the partitions of the months given (ms instants) that are missing.
    payloadMonths: `SELECT ${s}.evident_payload_month($1, m) FROM unnest($2::bigint[]) AS m`,

    getMeta: `SELECT value FROM ${meta} WHERE key = $1`,
    insertCosignature: `INSERT INTO ${cosignatures} (tree_size, witness, line, received_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    cosignatures: `SELECT line FROM ${cosignatures} WHERE tree_size = $1 ORDER BY witness`,
    setMeta: `INSERT INTO ${meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,

    insertKey: `INSERT INTO ${keys} (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
    keyById: `SELECT ${KEY_COLUMNS} FROM ${keys} WHERE id = $1`,
    keys: `SELECT ${KEY_COLUMNS} FROM ${keys} ORDER BY created_at_ms, id`,
    // The CTE's snapshot predates the UPDATE, which is fine: it only asks whether the key exists.
    revokeKey: `WITH u AS (UPDATE ${keys} SET revoked_at_ms = $2 WHERE id = $1 AND revoked_at_ms IS NULL)
                SELECT EXISTS (SELECT 1 FROM ${keys} WHERE id = $1) AS found`,

    getState: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE kind = $1 AND id = $2`,
    stateAscFirst: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE kind = $1 ORDER BY id LIMIT $2`,
    stateAsc: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`,
    stateDesc: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE kind = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
    stateDescFirst: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE kind = $1 ORDER BY id DESC LIMIT $2`,
    scanStateFirst: `SELECT ${STATE_COLUMNS} FROM ${state} ORDER BY kind, id LIMIT $1`,
    scanState: `SELECT ${STATE_COLUMNS} FROM ${state} WHERE (kind, id) > ($1, $2) ORDER BY kind, id LIMIT $3`,
    // Compare-and-set: rowCount 1 means this writer won (another process may race for it).
    createState: `INSERT INTO ${state} (${STATE_COLUMNS}) VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING`,
    replaceState: `UPDATE ${state} SET value = $3, version = version + 1, updated_at_ms = $5
                   WHERE kind = $1 AND id = $2 AND version = $4`,
    deleteState: `DELETE FROM ${state} WHERE kind = $1 AND id = $2 AND version = $3`,
    // One statement, so a page that meets an existing (kind, id) writes none of its rows.
    insertState: `INSERT INTO ${state} (${STATE_COLUMNS})
                  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,

    // A search by actor or target reads the view whose seq and times are the payload's own
    // (migration 16): PostgreSQL carries equalities across a join, not ranges, so through
    // "entries" a seq range or time order never reached the payload partitions' (id, seq)
    // indexes and every entry of the person was fetched and sorted (≈130 ms at 10M, cold).
    // When every condition is a payload column, the page (filter, order, limit) is chosen in
    // entry_payloads alone and only its rows are joined to entry_leaves: a single partitioned
    // table under ORDER BY … LIMIT is a Merge Append of backward (actor_id, seq) index walks
    // that stops after `limit` rows, where the join made the planner fetch every entry of the
    // person by bitmap and sort them (≈300 ms cold for ~1,000 entries at 10M).
    search: (filter: EntryFilter) => {
      if (!searchesPayloadIds(filter)) return searchSql(filter, ENTRY_COLUMNS, entries, dialect);
      if (!onlyPayloadConditions(filter))
        return searchSql(filter, ENTRY_COLUMNS, payloadEntries, dialect);
      const page = searchSql(filter, 'seq, received_at_ms', payloads, dialect);
      return {
        text: `SELECT ${ENTRY_COLUMNS} FROM ${payloadEntries}
          WHERE (seq, received_at_ms) IN (${page.text}) ORDER BY ${searchOrder(filter)}`,
        values: page.values,
      };
    },
    searchFacets: (filter: EntryFilter, options: FacetOptions) =>
      facetSql(filter, options, entries, dialect),
  };
}

/** Filters driven by the ids kept in entry_payloads (every search skips purged payloads). */
function searchesPayloadIds(filter: EntryFilter): boolean {
  return (
    filter.actor !== undefined || filter.target !== undefined || filter.targetPrefix !== undefined
  );
}

/** Filter fields that conditions() turns into tests of entry_payloads' columns (or none). */
const PAYLOAD_FILTER_FIELDS: ReadonlySet<string> = new Set<keyof EntryFilter>([
  'actor',
  'actorName',
  'target',
  'targetPrefix',
  'ip',
  'fromSeq',
  'toSeq',
  'timeFromMs',
  'timeToMs',
  'before',
  'order',
  'limit',
]);

/** True when no given filter names a column of entry_leaves (action, source, outcome…). */
function onlyPayloadConditions(filter: EntryFilter): boolean {
  for (const [field, value] of Object.entries(filter)) {
    if (value !== undefined && !PAYLOAD_FILTER_FIELDS.has(field)) return false;
  }
  return true;
}

/** `schema` is quoted: the helper function lives beside the tables, outside any search_path. */
const postgresSearch = (schema: string): SearchDialect => ({
  param: (n) => `$${n}`,
  actorName: "(record::jsonb #>> '{actor,name}')",
  // evident_inet (migration 3) is NULL for text that is not an address instead of failing.
  ipIn: (p) => `${schema}.evident_inet(record::jsonb #>> '{actor,ip}') <<= network(${p}::inet)`,
  never: 'FALSE',
});
