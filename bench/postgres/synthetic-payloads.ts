import type { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';

/** The first instant of month `m` counted from January 2025 (UTC). */
export const monthStart = (m: number) => Date.UTC(2025, m, 1);

/**
 * Fills `perMonth` entries into each of `months` months of received_at (from January 2025)
 * with INSERT … SELECT generate_series straight into entry_leaves and entry_payloads, one
 * month per statement. SYNTHETIC: valid-shaped JSON records, leaf hashes sha256(seq), no tree
 * nodes or checkpoints (nothing here verifies). Even seqs are source billing, odd ones hr;
 * 5,000 actors (u-N) and 20,000 targets (c-N) in turn.
 */
export async function fillSyntheticPayloads(
  sql: Client,
  schema: string,
  perMonth: number,
  months: number,
  progress: (month: number) => void = () => {},
): Promise<void> {
  const s = quoteIdent(schema);
  for (let m = 0; m < months; m++) {
    const first = m * perMonth;
    const from = monthStart(m);
    const step = (monthStart(m + 1) - from) / perMonth;
    const at = '$2::bigint + floor((i - $1) * $3::float8)::bigint';
    await sql.query(`SELECT ${s}.evident_payload_month($1, $2)`, [schema, from]);
    await sql.query(
      `INSERT INTO ${s}.entry_leaves (seq, id, source, action, target_type, outcome, time_ms, received_at_ms, leaf_hash, actor_digest, target_digest)
       SELECT i, 'e-' || i, CASE WHEN i % 2 = 0 THEN 'billing' ELSE 'hr' END, 'customer.read', 'customer', 'success',
              ${at}, ${at}, sha256(int8send(i)), 'sha256:' || md5('u-' || (i % 5000)), 'sha256:' || md5('c-' || (i % 20000))
       FROM generate_series($1::bigint, $1::bigint + $4 - 1) AS i`,
      [first, from, step, perMonth],
    );
    await sql.query(
      `INSERT INTO ${s}.entry_payloads (seq, received_at_ms, time_ms, actor_id, target_id, record)
       SELECT i, ${at}, ${at}, 'u-' || (i % 5000), 'c-' || (i % 20000),
              '{"action":"customer.read","actor":{"id":"u-' || (i % 5000) || '","ip":"10.0.0.7","type":"user"},"id":"e-' || i
              || '","outcome":"success","source":"billing","target":{"id":"c-' || (i % 20000) || '","type":"customer"}}'
       FROM generate_series($1::bigint, $1::bigint + $4 - 1) AS i`,
      [first, from, step, perMonth],
    );
    progress(m);
  }
}
