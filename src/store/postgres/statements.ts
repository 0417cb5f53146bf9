import { facetSql } from '../facet-sql.js';
import { type SearchDialect, searchSql } from '../search-sql.js';
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
  const leaves = `${s}.entry_leaves`;
  const payloads = `${s}.entry_payloads`;
  const nodes = `${s}.tree_nodes`;
  const checkpoints = `${s}.checkpoints`;
  const meta = `${s}.meta`;
  const keys = `${s}.ingest_keys`;
  const state = `${s}.state`;
  const dialect = postgresSearch(s);
  const cosignatures = `${s}.cosignatures`;
  return {
    // One round trip (simple protocol, no parameters). READ COMMITTED is required: each
    // statement after the lock then sees what the previous lock holder committed. A server
    // whose default is synchronous_commit=off still gets durable appends (durable before acknowledged).
    begin: [
      'BEGIN ISOLATION LEVEL READ COMMITTED',
      "SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'",
      appendLockSql(schema),
    ].join('; '),

    head: `SELECT ${CHECKPOINT_COLUMNS},
             (SELECT received_at_ms FROM ${entries} ORDER BY seq DESC LIMIT 1) AS last_received_at_ms
           FROM ${checkpoints} ORDER BY size DESC LIMIT 1`,
    entryById: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE id = $1`,
    entriesByIds: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE id = ANY($1::text[])`,
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

    // A whole batch in one statement and one round trip. The rows travel as one JSON text
    // each: JSON.stringify is native, where pg's array-literal encoder costs more than the
    // INSERT itself at thousands of rows. Hashes are hex.
    // The payload (record and ids) goes to its month's partition of entry_payloads, the rest
    // to entry_leaves with digests of the ids (migration 13); a purged record (a copied log)
    // has no payload row and its ids are already digests.
    insertBatch: `WITH r AS (
                    SELECT * FROM json_to_recordset($1::json) AS r (seq bigint, id text, source text, actor_id text, action text, target_type text,
                      target_id text, outcome text, time_ms bigint, received_at_ms bigint, record text, leaf_hash text)
                  ), e AS (
                    INSERT INTO ${leaves} (seq, id, source, action, target_type, outcome, time_ms, received_at_ms, leaf_hash, actor_digest, target_digest)
                    SELECT seq, id, source, action, target_type, outcome, time_ms, received_at_ms, decode(leaf_hash, 'hex'),
                      CASE WHEN record = '' THEN actor_id ELSE ${digestSql('actor_id')} END,
                      CASE WHEN target_id IS NULL OR record = '' THEN target_id ELSE ${digestSql('target_id')} END
                    FROM r
                  ), p AS (
                    INSERT INTO ${payloads} (seq, received_at_ms, time_ms, actor_id, target_id, record)
                    SELECT seq, received_at_ms, time_ms, actor_id, target_id, record FROM r WHERE record <> ''
                  ), n AS (
                    INSERT INTO ${nodes} (level, idx, hash)
                    SELECT level, idx, decode(hash, 'hex') FROM json_to_recordset($2::json) AS r (level int, idx bigint, hash text)
                  )
                  INSERT INTO ${checkpoints} (${CHECKPOINT_COLUMNS}) VALUES ($3, $4, $5, $6)`,
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

    search: (filter: EntryFilter) => searchSql(filter, ENTRY_COLUMNS, entries, dialect),
    searchFacets: (filter: EntryFilter, options: FacetOptions) =>
      facetSql(filter, options, entries, dialect),
  };
}

/** `sha256:<hex>` of a text column, as purgedIdDigest computes it. */
const digestSql = (column: string) =>
  `'sha256:' || encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;

/** `schema` is quoted: the helper function lives beside the tables, outside any search_path. */
const postgresSearch = (schema: string): SearchDialect => ({
  param: (n) => `$${n}`,
  actorName: "(record::jsonb #>> '{actor,name}')",
  // evident_inet (migration 3) is NULL for text that is not an address instead of failing.
  ipIn: (p) => `${schema}.evident_inet(record::jsonb #>> '{actor,ip}') <<= network(${p}::inet)`,
  never: 'FALSE',
});
