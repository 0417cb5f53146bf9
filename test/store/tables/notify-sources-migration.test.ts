import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DeliveryQueue } from '../../../src/monitor/notify/queue.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { SourceRegistry } from '../../../src/monitor/sources/source-registry.js';
import { SourceStatsStore } from '../../../src/monitor/sources/stats-store.js';
import { quoteIdent } from '../../../src/store/postgres/connection.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { SecretBox } from '../../../src/util/secret-box.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';
import { tempDir } from '../../support/test-server.js';

/**
 * Migration 8 on documents as the previous version wrote them: the store is opened (all
 * migrations run), rewound to before 8 with the old documents in `state`, and opened again.
 */
interface Rewindable {
  name: string;
  open(): Promise<Store>;
  /** Undoes migration 8 and runs `sql` (plain statements, no parameters). */
  rewind(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

const UNDO_8 = `
  DROP TABLE deliveries; DROP TABLE notification_settings; DROP TABLE sources;
  DROP TABLE source_stats; DELETE FROM schema_migrations WHERE version = 8;
`;

const DATABASES: { name: string; make: () => Promise<Rewindable> }[] = [
  {
    name: 'sqlite',
    make: async () => {
      const dir = tempDir('evident-migrate-8-');
      const file = join(dir, 'evident.db');
      return {
        name: 'sqlite',
        open: async () => SqliteStore.open(file),
        rewind: async (sql) => {
          const db = new Database(file);
          db.exec(`${UNDO_8}${sql}`);
          db.close();
        },
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          make: async (): Promise<Rewindable> => {
            const target = await freshPgSchema();
            return {
              name: 'postgresql',
              open: () => PostgresStore.open(target.url, { schema: target.schema }),
              rewind: async (sql) => {
                const client = new Client({ connectionString: target.url });
                await client.connect();
                try {
                  await client.query(`SET search_path TO ${quoteIdent(target.schema)}`);
                  await client.query(`${UNDO_8}${sql}`);
                } finally {
                  await client.end();
                }
              },
              dispose: () => target.drop(),
            };
          },
        },
      ]
    : []),
];

const T0 = 1_800_000_000_000;
const alert = (id: string) => ({ id, rule_id: 'r', title: `alert ${id}`, severity: 'high' });
const message = (id: string) => ({ event: 'alert.raised', alert: alert(id), links: {} });
const delivery = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  channelId: 'ops',
  message: message(`a-${id}`),
  createdAtMs: T0,
  attempts: 1,
  nextAttemptAtMs: T0 + 1000,
  history: [{ atMs: T0, ok: false, status: 503, error: 'HTTP 503', durationMs: 4 }],
  replays: 0,
  ...extra,
});
const finished = (outcome: string) => ({ outcome, finishedAtMs: T0 + 5 });
const WEBHOOK_SECRET = 'whsec_stored-in-clear-by-an-old-version';
const settings = {
  channels: [
    {
      type: 'webhook',
      id: 'ops',
      enabled: true,
      minSeverity: 'low',
      url: 'https://hooks.example.com/ops',
      format: 'json',
      secret: WEBHOOK_SECRET,
    },
  ],
  delivery: { maxAttempts: 3, timeoutMs: 1000, backoffInitialMs: 100, backoffMaxMs: 1000 },
};
const { replays: _r, ...withoutReplays } = delivery('01E5', finished('dead'));
const source = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  origin: 'seen',
  description: null,
  createdAtMs: T0,
  createdBy: 'source-health',
  updatedAtMs: T0,
  updatedBy: 'source-health',
  ...extra,
});
const stats = {
  source: 'billing-api',
  firstSeq: 1,
  lastSeq: 41,
  lastReceivedAtMs: T0 + 41,
  lastTimeMs: T0 + 40,
  total: 41,
  minutes: [[30_000_000, 41]],
  hours: [[500_000, 41]],
  skew: {
    behind: new Array(34).fill(0),
    ahead: new Array(34).fill(0),
    count: 0,
    minMs: null,
    maxMs: null,
    beyond: 0,
  },
  skewAlertHour: null,
  silence: { sinceMs: T0 + 41, lastSeq: 41, detectedAtMs: T0 + 99, alertId: 'ALERT1' },
};

const DOCS: [string, string, unknown, number][] = [
  ['notify_queue', '01E1', delivery('01E1'), 2],
  // Finished, its move to delivered not begun: the queued copy says where it goes.
  ['notify_queue', '01E2', delivery('01E2', finished('delivered')), 3],
  // A move that stopped halfway: both copies exist.
  ['notify_queue', '01E3', delivery('01E3', finished('dead')), 3],
  ['notify_dead', '01E3', delivery('01E3', finished('dead')), 1],
  ['notify_delivered', '01E4', delivery('01E4', finished('delivered')), 1],
  // Written before replays were counted.
  ['notify_dead', '01E5', withoutReplays, 1],
  ['notify_settings', 'current', settings, 4],
  ['source', 'billing-api', source('billing-api', { origin: 'declared', maxSilenceMs: 900_000 })],
  ['source', 'evident', source('evident', { maxSilenceMs: null })],
  ['source', 'hr-api', source('hr-api', { origin: 'ingest_key' })],
  ['source_stats', 'billing-api', stats, 7],
  ['account', 'someone', { name: 'not moved by 8' }, 1],
].map(([kind, id, value, version]) => [
  kind as string,
  id as string,
  value,
  (version as number) ?? 1,
]);

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
const insertDocs = (docs: typeof DOCS) =>
  docs
    .map(
      ([kind, id, value, version]) =>
        `INSERT INTO state (kind, id, value, version, updated_at_ms) VALUES (${quote(kind)}, ${quote(id)}, ${quote(JSON.stringify(value))}, ${version}, ${T0 + 7});`,
    )
    .join('\n');

for (const { name, make } of DATABASES) {
  describe(`migration 8 moves notification and source documents into their tables (${name})`, () => {
    let db: Rewindable;
    before(async () => {
      db = await make();
    });
    after(() => db.dispose());

    it('every document becomes one row, read back as before', async () => {
      await (await db.open()).close();
      await db.rewind(insertDocs(DOCS));
      const store = await db.open();
      try {
        const queue = new DeliveryQueue(store, ulidGenerator());
        const ids = async (status: 'queued' | 'delivered' | 'dead') =>
          (await queue.list(status, { limit: 10 })).map((d) => d.id);
        assert.deepEqual(await ids('queued'), ['01E1']);
        assert.deepEqual(await ids('delivered'), ['01E4', '01E2']);
        assert.deepEqual(await ids('dead'), ['01E5', '01E3']);
        const queued = (await queue.get('queued', '01E1'))!;
        assert.deepEqual(queued.value, delivery('01E1'));
        assert.equal(queued.version, 2, 'the version carries over');
        assert.equal((await queue.get('dead', '01E5'))!.value.replays, 0);
        assert.equal((await queue.get('delivered', '01E2'))!.value.outcome, 'delivered');

        const box = SecretBox.fromKey(new Uint8Array(32).fill(7));
        const read = await new NotificationSettingsStore(store, box).read();
        assert.equal(read.version, 4);
        const channel = read.settings.channels[0]!;
        assert.ok(channel.type === 'webhook' && channel.secret === WEBHOOK_SECRET);

        const registry = new SourceRegistry(store);
        const sources = await registry.list();
        assert.deepEqual(
          sources.map((s) => [s.name, s.origin, s.maxSilenceMs]),
          [
            ['billing-api', 'declared', 900_000],
            ['evident', 'seen', null],
            ['hr-api', 'ingest_key', undefined],
          ],
        );
        assert.deepEqual(await new SourceStatsStore(store).get('billing-api'), stats);

        const left: string[] = [];
        for await (const page of store.scanState(100)) left.push(...page.map((d) => d.kind));
        assert.deepEqual(left, ['account'], 'moved documents leave the state table');
      } finally {
        await store.close();
      }
    });

    it('a document it cannot read stops the migration, naming it', async () => {
      await db.rewind(
        `${insertDocs([['source', 'broken', { name: 'broken', origin: 'guessed' }, 1]])}`,
      );
      await assert.rejects(db.open(), /source document "broken" cannot be read/);
    });
  });
}
