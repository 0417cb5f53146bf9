import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { registeredRoutes } from '../../src/server/app.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { STATE_TABLES } from '../../src/store/tables/state-tables.js';
import { testServer } from '../support/test-server.js';

/**
 * Issue #4: no HTTP route and no CLI command can delete or change an event. Every route and
 * every command reaches the log either over HTTP (the permission-matrix test runs each route
 * with every credential and then verifies the log) or through the Store port; so this test
 * pins down, for each, that no path to an UPDATE or DELETE of entries, tree nodes or
 * checkpoints exists — and the database triggers refuse one anyway (store tests).
 */

/** Every Store method; the writers among them never touch entries, nodes or checkpoints. */
const STORE_METHODS: Record<string, 'read' | 'append' | 'state' | 'other'> = {
  append: 'append', // inserts one batch of new entries, nodes and a checkpoint
  head: 'read',
  entryById: 'read',
  entriesByIds: 'read',
  entryBySeq: 'read',
  entries: 'read',
  search: 'read',
  searchFacets: 'read',
  firstSeqReceivedAtOrAfter: 'read',
  nodes: 'read',
  checkpoint: 'read',
  scanEntries: 'read',
  scanCheckpoints: 'read',
  nodesAtLevel: 'read',
  counts: 'read',
  getMeta: 'read',
  setMeta: 'state',
  // Witness cosignature lines beside a checkpoint: insert-only, never a checkpoint rewrite.
  addCosignature: 'state',
  cosignatures: 'read',
  insertIngestKey: 'state',
  ingestKey: 'read',
  ingestKeys: 'read',
  revokeIngestKey: 'state',
  getState: 'read',
  listState: 'read',
  putState: 'state',
  deleteState: 'state',
  scanState: 'read',
  insertState: 'state',
  // The typed state tables (store/tables/state-tables.ts); the log's tables are never among
  // them (asserted below), and their triggers refuse a rewrite anyway.
  transaction: 'state',
  scanTable: 'read',
  insertRows: 'state',
  close: 'other',
};

/** On the port but not on every adapter (Store's optional methods). */
const OPTIONAL_STORE_METHODS: Record<string, 'read' | 'append' | 'state' | 'other'> = {
  // inserts one planned batch of new entries, nodes and a checkpoint, or nothing (SQLite)
  appendIfHead: 'append',
};

/**
 * Retention's purge and restore: the only code that updates entries, and only the payload
 * and the personal-id columns of a seq a recorded retention.purge event covers (the database
 * triggers of migration 9 allow nothing wider).
 */
const PAYLOAD_ONLY = 'store/tables/retention/purged-payloads-table.ts';

/** Adapter internals (not on the port): none of them is reachable from outside. */
const PRIVATE_HELPERS: Record<string, string[]> = {
  // a write outside any append, through the writer thread: setMeta, keys, state, cosignatures;
  // commonPrefixes only counts index entries (a search plan choice)
  SqliteStore: ['write', 'commonPrefixes', 'readState', 'writerRunner'],
  PostgresStore: [],
};

/** Every CLI command, by what it does to the log. None deletes or edits an event. */
const COMMANDS: Record<string, 'reads' | 'appends' | 'configures' | 'serves'> = {
  serve: 'serves',
  'gateway credentials create': 'configures',
  'gateway credentials revoke': 'configures',
  'gateway credentials list': 'reads',
  'gateway grants list': 'reads',
  'gateway grants add': 'configures',
  'gateway grants revoke': 'configures',
  init: 'configures',
  'keys create': 'configures',
  'keys list': 'reads',
  'keys revoke': 'configures',
  'keys rotate-log-key': 'configures',
  ingest: 'appends',
  search: 'reads',
  export: 'reads',
  forward: 'reads',
  'sources list': 'reads',
  'sources show': 'reads',
  'sources declare': 'configures',
  'retention show': 'reads',
  'retention set': 'configures',
  'holds list': 'reads',
  'holds place': 'configures',
  'holds release': 'configures',
  checkpoint: 'reads',
  proof: 'reads',
  verify: 'reads',
  migrate: 'configures',
  'rules check': 'reads',
  'rules list': 'reads',
  'rules pack': 'reads',
  'notifications get': 'reads',
  'notifications set': 'configures',
  'notifications test': 'configures',
  'notifications deliveries': 'reads',
  'notifications dead-letters': 'reads',
  'notifications replay': 'configures',
  'alerts list': 'reads',
  'alerts show': 'reads',
  'alerts ack': 'configures',
  'alerts resolve': 'configures',
  'alerts reopen': 'configures',
  'alerts assign': 'configures',
  'alerts comment': 'configures',
  'alerts export': 'reads',
  'alerts metrics': 'reads',
  'principals create': 'configures',
  'principals list': 'reads',
  'principals show': 'reads',
  'principals roles': 'configures',
  'principals disable': 'configures',
  'principals enable': 'configures',
  'principals reset-password': 'configures',
  login: 'configures',
  logout: 'configures',
  'tokens create': 'configures',
  'tokens list': 'reads',
  'tokens revoke': 'configures',
  'approvals list': 'reads',
  'approvals approve': 'configures',
  'approvals reject': 'configures',
  'approvals reader-grants': 'configures',
  whoami: 'reads',
  // A witness keeps its own state file; it never touches a log's store.
  'witness serve': 'serves',
  'monitor-log': 'reads',
  // Appends its notarisation (evidence_pack.create) and reads the rest; the pack is a new file.
  'pack create': 'appends',
  'pack verify': 'reads',
  // Reviews: definitions and the work on occurrences are state with their review.* events.
  'reviews define': 'configures',
  'reviews definitions': 'reads',
  'reviews list': 'reads',
  'reviews show': 'reads',
  'reviews start': 'configures',
  'reviews observe': 'configures',
  'reviews decide': 'configures',
  'reviews sign-off': 'configures',
  'reviews countersign': 'configures',
  'reviews correct': 'configures',
  // Appends archive.create (a local export) and reads entries and proofs; the bundle is a new file.
  'archive create': 'appends',
  'archive verify': 'reads',
  // Appends archive.restore; puts back only payloads a recorded purge removed, each matching
  // its stored leaf hash (purged-payloads-table.ts restorePayload, migration 9's triggers).
  'archive restore': 'appends',
  // Reads a report from the server, which records the read (report.read) like any read.
  report: 'reads',
};

function leafCommands(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((c) => {
    const name = prefix ? `${prefix} ${c.name()}` : c.name();
    return c.commands.length > 0 ? leafCommands(c, name) : [name];
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('no route and no command can delete or change an event', () => {
  it('every CLI command is accounted for, and none is a delete or an edit of events', async () => {
    const commands = leafCommands(await buildProgram()).sort();
    assert.deepEqual(commands, Object.keys(COMMANDS).sort(), 'classify every new command here');
    for (const name of commands) {
      assert.doesNotMatch(name, /\b(delete|remove|edit|update|purge|truncate|erase)\b/, name);
    }
  });

  it('the Store port has no operation that rewrites entries, nodes or checkpoints', () => {
    for (const adapter of [SqliteStore, PostgresStore]) {
      const methods = Object.getOwnPropertyNames(adapter.prototype).filter((m) => {
        const d = Object.getOwnPropertyDescriptor(adapter.prototype, m);
        return m !== 'constructor' && typeof d?.value === 'function';
      });
      const unknown = methods.filter(
        (m) =>
          !(m in STORE_METHODS) &&
          !(m in OPTIONAL_STORE_METHODS) &&
          !PRIVATE_HELPERS[adapter.name]?.includes(m),
      );
      assert.deepEqual(unknown, [], `${adapter.name}: classify every new method here`);
      for (const m of Object.keys(STORE_METHODS)) assert.ok(methods.includes(m), m);
    }
  });

  it('no query builder call in the code updates or deletes the log, and no state table is a log table', () => {
    const built =
      /\b(updateTable|deleteFrom|replaceInto|mergeInto)\(\s*['"`](entries|tree_nodes|checkpoints)['"`]/;
    assert.ok(built.test("db.deleteFrom('entries').where('seq', '>', 3)"));
    assert.ok(built.test('q.db.updateTable("checkpoints")'));
    const offenders = sourceFiles(new URL('../../src', import.meta.url).pathname).filter(
      (file) => !file.endsWith(PAYLOAD_ONLY) && built.test(readFileSync(file, 'utf8')),
    );
    assert.deepEqual(offenders, []);
    // The one exception empties (or puts back) a payload under a recorded purge: the
    // migration 9 triggers refuse any other change (test/store/tables/purged-payloads.test.ts).
    const payloadOnly = readFileSync(
      new URL(`../../src/${PAYLOAD_ONLY}`, import.meta.url).pathname,
      'utf8',
    );
    assert.doesNotMatch(payloadOnly, /deleteFrom\(\s*['"`](entries|tree_nodes|checkpoints)/);
    assert.doesNotMatch(payloadOnly, /updateTable\(\s*['"`](tree_nodes|checkpoints)/);
    for (const { table } of STATE_TABLES)
      assert.ok(!['entries', 'tree_nodes', 'checkpoints', 'meta'].includes(table), table);
  });

  it('no SQL in the code updates or deletes entries, tree nodes or checkpoints', () => {
    const table = String.raw`[\w".{}$]*\b(entries|tree_nodes|checkpoints)\b`;
    const rewrite = new RegExp(
      String.raw`\bUPDATE\s+${table}\s+SET\b|\bDELETE\s+FROM\s+${table}|\bTRUNCATE\s+(TABLE\s+)?${table}`,
      'i',
    );
    // The pattern finds what it must (as the adapters would write it).
    assert.ok(rewrite.test(['`UPDATE $', '{s}.entries SET record = $1`'].join('')));
    assert.ok(rewrite.test("'DELETE FROM tree_nodes WHERE level = ?'"));
    assert.ok(rewrite.test('TRUNCATE TABLE "log".checkpoints'));
    assert.equal(rewrite.test("db.pragma('wal_checkpoint(TRUNCATE)')"), false);
    const offenders = sourceFiles(new URL('../../src', import.meta.url).pathname).filter(
      (file) =>
        // Migrations name these statements only in the triggers that refuse them; the payload
        // file's one raw UPDATE is SQLite's set-based purge (the triggers bound it as above).
        !file.endsWith('migrations.ts') &&
        !file.endsWith(PAYLOAD_ONLY) &&
        rewrite.test(readFileSync(file, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });

  it('no HTTP route changes or removes events or the log', async () => {
    const t = await testServer();
    try {
      const writes = registeredRoutes(t.app).filter(
        (r) =>
          /^\/api\/v1\/(events|log)\b/.test(r.url) &&
          !(r.method === 'GET' || r.method === 'HEAD') &&
          !(r.method === 'POST' && r.url === '/api/v1/events'),
      );
      assert.deepEqual(writes, [], 'the only write to events is the append');
      for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
        const res = await t.app.inject({
          method,
          url: '/api/v1/events/01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
          headers: t.admin,
        });
        assert.equal(res.statusCode, 404, `${method} on an event is no route at all`);
      }
    } finally {
      await t.close();
    }
  });
});
