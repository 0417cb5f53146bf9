/**
 * Migration 8 on the data folder made by schema version 4 (test/fixtures/data-folder-v4/):
 * every notification and source document becomes rows, and the API answers what the same
 * presenters made of the documents before. SQLite through a real server on a copy of the
 * folder; PostgreSQL from the same documents (state-docs.json) at the same point.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { ALL_SOURCES } from '../../../src/access/authorization/source-scope.js';
import { deliveryJson } from '../../../src/monitor/notify/delivery-json.js';
import { DeliveryQueue, type DeliveryStatus } from '../../../src/monitor/notify/queue.js';
import { settingsJson } from '../../../src/monitor/notify/settings-json.js';
import { openSettings } from '../../../src/monitor/notify/settings-seal.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { DEFAULT_SOURCE_SETTINGS } from '../../../src/monitor/sources/settings.js';
import { SourceDirectory } from '../../../src/monitor/sources/source-directory.js';
import { sourceJson } from '../../../src/server/presenters/source.js';
import { type RunningServer, startServer } from '../../../src/server/start-server.js';
import { quoteIdent } from '../../../src/store/postgres/connection.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SQLITE_MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { loadOrCreateSecretBox } from '../../../src/util/secret-box.js';
import { copyDataDir, tempDir } from '../../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';

const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'data-folder-v4');
const TOKEN = 'eva_fixture-bootstrap-token-0123456789abcdef';
const MOVED = [
  'notify_queue',
  'notify_delivered',
  'notify_dead',
  'notify_settings',
  'source',
  'source_stats',
];

interface StateDoc {
  kind: string;
  id: string;
  value: string;
  version: number;
  updated_at_ms: number;
}
const DOCS = JSON.parse(readFileSync(join(fixture, 'state-docs.json'), 'utf8')) as StateDoc[];
/** Just after the fixture's last write: nothing queued is due yet (next attempts are 1 h on). */
const NOW = Math.max(...DOCS.map((d) => d.updated_at_ms)) + 1000;
const box = loadOrCreateSecretBox(join(fixture, 'data', 'secrets.key'));

const docsOf = (kind: string) => DOCS.filter((d) => d.kind === kind);
const parsed = (d: StateDoc) => JSON.parse(d.value);
const STATUS_KIND: Record<DeliveryStatus, string> = {
  queued: 'notify_queue',
  delivered: 'notify_delivered',
  dead: 'notify_dead',
};

/** What the API showed before: the presenters applied to the documents, newest first. */
const expected = {
  deliveries: (status: DeliveryStatus) =>
    docsOf(STATUS_KIND[status])
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .map((d) => deliveryJson({ value: parsed(d) }, status, NOW)),
  sources: () => {
    const stats = new Map(docsOf('source_stats').map((d) => [d.id, parsed(d)]));
    return docsOf('source').map((d) =>
      sourceJson(parsed(d), stats.get(d.id), NOW, DEFAULT_SOURCE_SETTINGS),
    );
  },
  settings: () => {
    const [doc] = docsOf('notify_settings');
    return settingsJson({
      settings: openSettings(parsed(doc!), box),
      version: doc!.version,
      updatedAtMs: doc!.updated_at_ms,
    });
  },
};

describe('migration 8 on the schema-version-4 data folder (sqlite, through the API)', () => {
  const copy = copyDataDir(join(fixture, 'data'), tempDir('evident-fixture-8-'));
  let server: RunningServer;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, compared whole with deepEqual
  const get = async (path: string): Promise<any> => {
    const response = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200, path);
    return response.json();
  };

  before(async () => {
    assert.ok(
      DOCS.some((d) => d.kind === 'notify_queue'),
      'the fixture holds deliveries',
    );
    server = await startServer({
      dataDir: copy,
      host: '127.0.0.1',
      port: 0,
      monitor: false,
      adminTokenFromEnv: TOKEN,
      clock: new ManualClock(NOW),
    });
  });
  after(async () => {
    await server?.close();
    rmSync(copy, { recursive: true, force: true });
  });

  it('lists deliveries, dead letters and sources, and shows the settings, as before', async () => {
    for (const status of ['queued', 'delivered', 'dead'] as const) {
      const page = await get(`/api/v1/notifications/deliveries?status=${status}`);
      assert.deepEqual(page.deliveries, expected.deliveries(status), status);
      assert.ok(page.deliveries.length > 0);
    }
    assert.deepEqual(
      (await get('/api/v1/notifications/dead-letters')).deliveries,
      expected.deliveries('dead'),
    );
    assert.deepEqual((await get('/api/v1/sources')).sources, expected.sources());
    assert.deepEqual(await get('/api/v1/sources/billing-api'), expected.sources()[0]);
    assert.deepEqual(await get('/api/v1/settings/notifications'), expected.settings());
  });

  it('left no moved document in state, and every other one where it was', async () => {
    const db = new Database(join(copy, 'evident.db'), { readonly: true });
    try {
      const left = db.prepare('SELECT kind, id FROM state ORDER BY kind, id').all();
      // Kinds other migrations move (accounts, tokens, alerts…) are gone too; what is left
      // is exactly what no migration moves.
      const movedByAny = SQLITE_MIGRATIONS.flatMap((m) => (m.moveDocs ?? []).map((d) => d.kind));
      for (const kind of MOVED) assert.ok(movedByAny.includes(kind), kind);
      const kept = DOCS.filter((d) => !movedByAny.includes(d.kind)).map(({ kind, id }) => ({
        kind,
        id,
      }));
      assert.deepEqual(left, kept);
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      assert.equal(
        count('deliveries'),
        docsOf('notify_queue').length +
          docsOf('notify_delivered').length +
          docsOf('notify_dead').length,
      );
      assert.equal(count('sources'), docsOf('source').length);
      assert.equal(count('source_stats'), docsOf('source_stats').length);
      assert.equal(count('notification_settings'), 1);
    } finally {
      db.close();
    }
  });
});

if (PG_ENABLED) {
  describe('migration 8 on the schema-version-4 documents (postgresql)', () => {
    let target: Awaited<ReturnType<typeof freshPgSchema>>;
    let store: PostgresStore;

    before(async () => {
      target = await freshPgSchema();
      // A schema as version 4 left it: migrated, then 8 undone and the documents loaded.
      await (await PostgresStore.open(target.url, { schema: target.schema })).close();
      const client = new Client({ connectionString: target.url });
      await client.connect();
      try {
        await client.query(`SET search_path TO ${quoteIdent(target.schema)}`);
        await client.query(`
          DROP TABLE deliveries; DROP TABLE notification_settings; DROP TABLE sources;
          DROP TABLE source_stats; DELETE FROM schema_migrations WHERE version = 8;
        `);
        for (const d of DOCS) {
          await client.query(
            'INSERT INTO state (kind, id, value, version, updated_at_ms) VALUES ($1, $2, $3, $4, $5)',
            [d.kind, d.id, d.value, d.version, d.updated_at_ms],
          );
        }
      } finally {
        await client.end();
      }
      store = await PostgresStore.open(target.url, { schema: target.schema });
    });
    after(async () => {
      await store?.close();
      await target?.drop();
    });

    it('reads every delivery, source and the settings as the presenters showed them', async () => {
      const queue = new DeliveryQueue(store, ulidGenerator());
      for (const status of ['queued', 'delivered', 'dead'] as const) {
        const rows = await queue.list(status, { limit: 100 });
        assert.deepEqual(
          rows.map((d) => deliveryJson(d, status, NOW)),
          expected.deliveries(status),
        );
      }
      const directory = new SourceDirectory({
        db: store,
        audit: { recordWithin: () => Promise.reject(new Error('no changes here')) },
        clock: new ManualClock(NOW),
      });
      const sources = await directory.list(ALL_SOURCES);
      assert.deepEqual(
        sources.map((s) => sourceJson(s.record, s.stats, NOW, DEFAULT_SOURCE_SETTINGS)),
        expected.sources(),
      );
      const settings = await new NotificationSettingsStore(store, box).read();
      assert.deepEqual(settingsJson(settings), expected.settings());
      const left: string[] = [];
      for await (const page of store.scanState(100)) left.push(...page.map((d) => d.kind));
      assert.deepEqual(
        left.filter((kind) => MOVED.includes(kind)),
        [],
      );
      assert.equal(left.length, DOCS.filter((d) => !MOVED.includes(d.kind)).length);
    });
  });
}
