/**
 * Every typed state table, in copy order (a table before the tables that refer to it), with
 * its primary key: `evident migrate` copies each one page by page in key order, and the
 * conformance suite round-trips each. A table missing here would be left behind by a migrate.
 */
export interface StateTable {
  table: string;
  key: readonly string[];
}

export const STATE_TABLES: readonly StateTable[] = [
  // The generic documents that remain (singleton settings and anything not yet moved).
  { table: 'state', key: ['kind', 'id'] },
  // People and services, their roles, and four-eyes requests (migration 5).
  { table: 'accounts', key: ['id'] },
  { table: 'account_roles', key: ['account_id', 'role'] },
  { table: 'approvals', key: ['id'] },
  // Notifications and source coverage (migration 8).
  { table: 'notification_settings', key: ['id'] },
  { table: 'deliveries', key: ['id'] },
  { table: 'sources', key: ['name'] },
  { table: 'source_stats', key: ['source'] },
  // Alerts (migration 7): the alert before its sources, seqs, groups and history.
  { table: 'alerts', key: ['id'] },
  { table: 'alert_sources', key: ['alert_id', 'source'] },
  { table: 'alert_seqs', key: ['seq', 'alert_id'] },
  { table: 'alert_groups', key: ['alert_id', 'field'] },
  { table: 'alert_history', key: ['alert_id', 'step'] },
  { table: 'alert_keys', key: ['alert_key'] },
  // The monitor (migration 7): rule texts, layer pointers, the engine's position and lease.
  { table: 'rule_texts', key: ['sha256'] },
  { table: 'rule_layers', key: ['layer'] },
  { table: 'engine_position', key: ['id'] },
  { table: 'engine_lease', key: ['id'] },
  // Retention (migration 9): policies, legal holds, and which payloads a recorded purge removed
  // (copied after the log, whose retention.purge events the marks name).
  { table: 'retention_policies', key: ['source'] },
  { table: 'legal_holds', key: ['id'] },
  { table: 'purged_payloads', key: ['seq'] },
  { table: 'restored_payloads', key: ['seq'] },
  // Credentials (migration 6).
  { table: 'api_tokens', key: ['id'] },
  { table: 'sessions', key: ['id'] },
  { table: 'oidc_flows', key: ['id'] },
  { table: 'cli_handoffs', key: ['id'] },
  // Reviews (migration 10): a definition before its occurrences, an occurrence before its notes.
  { table: 'review_definitions', key: ['id'] },
  { table: 'review_occurrences', key: ['id'] },
  { table: 'review_notes', key: ['occurrence_id', 'id'] },
  // Each person's saved searches (migration 11).
  { table: 'saved_searches', key: ['id'] },
  // The database gateway (migration 12): people's credentials and who may reach what.
  { table: 'gateway_credentials', key: ['id'] },
  { table: 'gateway_grants', key: ['id'] },
];

export function stateTable(table: string): StateTable {
  const found = STATE_TABLES.find((t) => t.table === table);
  if (!found) throw new Error(`${table} is not a state table (src/store/tables/state-tables.ts)`);
  return found;
}
