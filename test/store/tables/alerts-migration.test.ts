/**
 * Migration 7 on a data folder made by schema version 4 (test/fixtures/data-folder-v4/): every
 * alert, raise key, rule text, layer pointer and the engine position become rows, no such
 * document stays in `state`, and the API answers from the rows as it did from the documents —
 * including each history step's seq, now read from the log by the step's event id. The same
 * documents loaded into a PostgreSQL schema at version 4 migrate to the same rows.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadAdminToken } from '../../../src/access/authentication/admin-token.js';
import { ALL_SOURCES } from '../../../src/access/authorization/source-scope.js';
import { formatVerifierKey } from '../../../src/core/note.js';
import { dataPaths } from '../../../src/data-folder.js';
import { type OpenLog, openLog } from '../../../src/log/open-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import type { AlertRecord } from '../../../src/monitor/alerts/alert.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { engineStatus } from '../../../src/monitor/engine/engine-status.js';
import { RuleStore } from '../../../src/monitor/engine/rule-store.js';
import { buildApp } from '../../../src/server/app.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { Store } from '../../../src/store/store.js';
import { systemClock } from '../../../src/util/clock.js';
import { loadOrCreateSecretBox } from '../../../src/util/secret-box.js';
import { copyDataDir, tempDir } from '../../support/processes.js';
import { pgSchemaAtV4 } from '../../support/schema-v4.js';
import { PG_ENABLED } from '../../support/stores.js';

const fixture = join(import.meta.dirname, '../../fixtures/data-folder-v4');
interface StateDoc {
  kind: string;
  id: string;
  value: string;
  version: number;
  updated_at_ms: number;
}
const DOCS = JSON.parse(readFileSync(join(fixture, 'state-docs.json'), 'utf8')) as StateDoc[];
const MOVED_KINDS = ['alert', 'alert_key', 'monitor', 'monitor-rules'];
const OLD_ALERTS = DOCS.filter((d) => d.kind === 'alert').map(
  (d) => JSON.parse(d.value) as AlertRecord,
);
const pointer = (layer: string) =>
  JSON.parse(DOCS.find((d) => d.kind === 'monitor' && d.id === `layer.${layer}`)!.value) as {
    sha256: string;
    event_seq: number;
  };
const OLD_ENGINE = JSON.parse(
  DOCS.find((d) => d.kind === 'monitor' && d.id === 'engine')!.value,
) as { position: number; layers: Record<string, string> };

/** What the documents said, less the step seqs (the log holds those; compared separately). */
function withoutSeqs(a: AlertRecord) {
  return { ...a, history: a.history.map((h) => ({ ...h, seq: null })) };
}

/** Checks shared by both stores: every moved document is rows, and reads of them agree. */
async function checkMoved(store: Store, withLog: boolean): Promise<void> {
  const service = new AlertService({ store, audit: undefined as unknown as SelfAudit });
  assert.equal(OLD_ALERTS.length, 13);
  for (const old of OLD_ALERTS) {
    const now = (await service.get(old.id))!;
    assert.equal(now.version, DOCS.find((d) => d.kind === 'alert' && d.id === old.id)!.version);
    assert.deepEqual(withoutSeqs(now.value), withoutSeqs(old), old.id);
    if (withLog) {
      assert.deepEqual(
        now.value.history.map((h) => h.seq),
        old.history.map((h) => h.seq),
        `${old.id}: every step's seq, read from the log by its event id`,
      );
    }
  }
  const page = await service.page({ filter: {}, scope: ALL_SOURCES, limit: 50 });
  assert.deepEqual(
    page.alerts.map((a) => a.id),
    OLD_ALERTS.map((a) => a.id)
      .sort()
      .reverse(),
  );
  const open = await service.page({ filter: { state: 'open' }, scope: ALL_SOURCES, limit: 50 });
  assert.equal(open.alerts.length, OLD_ALERTS.filter((a) => a.state === 'open').length);
  // Migration 15 copied each alert's state onto its source rows: a page by source and state
  // reads them.
  for (const source of new Set(OLD_ALERTS.flatMap((a) => a.sources))) {
    for (const state of ['open', 'acknowledged', 'resolved'] as const) {
      const got = await service.page({ filter: { state, source }, scope: ALL_SOURCES, limit: 50 });
      assert.deepEqual(
        got.alerts.map((a) => a.id),
        OLD_ALERTS.filter((a) => a.state === state && a.sources.includes(source))
          .map((a) => a.id)
          .sort()
          .reverse(),
        `${source}, ${state}`,
      );
    }
  }
  // Each raise key still names its alert: raising one again changes nothing.
  for (const old of OLD_ALERTS) {
    assert.deepEqual(await service.raise({ ...old, key: old.key, ruleId: old.ruleId }), {
      id: old.id,
      created: false,
    });
  }
  const rules = new RuleStore(store, systemClock);
  const pointers = await rules.pointers();
  assert.deepEqual(
    Object.fromEntries(Object.entries(pointers).map(([l, p]) => [l, [p.sha256, p.event_seq]])),
    {
      pack: [pointer('pack').sha256, pointer('pack').event_seq],
      api: [pointer('api').sha256, pointer('api').event_seq],
    },
  );
  assert.equal((await rules.currentTexts()).texts.length, 2);
  assert.deepEqual(await engineStatus(store), {
    position: OLD_ENGINE.position,
    layers: OLD_ENGINE.layers,
    savedAtMs: (await engineStatus(store))!.savedAtMs,
  });
}

describe('migration 7 on the schema-version-4 data folder (SQLite)', () => {
  let dir: string;
  let log: OpenLog;
  before(async () => {
    dir = copyDataDir(join(fixture, 'data'), tempDir('evident-m7-'));
    log = await openLog({ dataDir: dir, clock: systemClock });
  });
  after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every alert, key, rule text, pointer and the engine position out of `state`', async () => {
    const db = new Database(join(dir, 'evident.db'), { readonly: true });
    try {
      const left = db
        .prepare(
          `SELECT count(*) AS n FROM state WHERE kind IN (${MOVED_KINDS.map(() => '?').join(',')})`,
        )
        .get(...MOVED_KINDS) as { n: number };
      assert.equal(left.n, 0);
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      assert.equal(count('alerts'), 13);
      assert.equal(count('alert_keys'), 13);
      assert.equal(
        count('alert_history'),
        OLD_ALERTS.reduce((n, a) => n + a.history.length, 0),
      );
      assert.equal(count('rule_texts'), 2);
      assert.equal(count('rule_layers'), 2);
      assert.equal(count('engine_position'), 1);
      assert.equal(count('engine_lease'), 1);
      // The kinds other migrations move are still there for them.
      assert.ok(count('state') > 0);
    } finally {
      db.close();
    }
    await checkMoved(log.store, true);
  });

  it('the API answers from the rows as it did from the documents', async () => {
    const app = buildApp({
      store: log.store,
      sequencer: log.sequencer,
      origin: log.origin,
      verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
      adminToken: loadAdminToken(dataPaths(dir).adminToken, undefined),
      clock: systemClock,
      audit: new SelfAudit(log.sequencer, log.origin, systemClock),
      secrets: loadOrCreateSecretBox(dataPaths(dir).secretsKey),
    });
    try {
      const authorization = `Bearer ${readFileSync(join(dir, 'admin.token'), 'utf8').trim()}`;
      const get = async (url: string) => {
        const res = await app.inject({ method: 'GET', url, headers: { authorization } });
        assert.equal(res.statusCode, 200, res.body);
        return res;
      };
      const list = (await get('/api/v1/alerts?limit=500')).json() as {
        alerts: { id: string; raise_seq: number | null; state: string }[];
      };
      assert.deepEqual(
        list.alerts.map((a) => [a.id, a.state, a.raise_seq]),
        [...OLD_ALERTS]
          .sort((a, b) => (a.id < b.id ? 1 : -1))
          .map((a) => [a.id, a.state, a.history[0]!.seq]),
      );
      const resolved = OLD_ALERTS.find((a) => a.state === 'resolved')!;
      const one = (await get(`/api/v1/alerts/${resolved.id}`)).json() as {
        history: { action: string; seq: number | null }[];
      };
      assert.deepEqual(
        one.history.map((h) => [h.action, h.seq]),
        resolved.history.map((h) => [h.action, h.seq]),
      );
      const csv = (await get('/api/v1/alerts/export?format=csv')).body.split('\r\n');
      assert.equal(csv.length, 13 + 2, 'header, 13 alerts, final CRLF');
      const metrics = (await get('/api/v1/alerts/metrics')).json() as {
        overall: { alerts: number; resolved: number };
      };
      assert.deepEqual(
        [metrics.overall.alerts, metrics.overall.resolved],
        [13, OLD_ALERTS.filter((a) => a.state === 'resolved').length],
      );
      const rules = (await get('/api/v1/rules')).json() as {
        layers: { layer: string; event_seq: number }[];
        engine: { position: number };
      };
      assert.deepEqual(
        rules.layers.map((l) => [l.layer, l.event_seq]),
        [
          ['pack', pointer('pack').event_seq],
          ['api', pointer('api').event_seq],
        ],
      );
      assert.equal(rules.engine.position, OLD_ENGINE.position);
    } finally {
      await app.close();
    }
  });
});

describe('migration 7 on a PostgreSQL schema at version 4', { skip: !PG_ENABLED }, () => {
  let store: PostgresStore;
  let drop: () => Promise<void>;
  before(async () => {
    const target = await pgSchemaAtV4(DOCS);
    drop = target.drop;
    store = await PostgresStore.open(target.url, { schema: target.schema });
  });
  after(async () => {
    await store?.close();
    await drop?.();
  });

  it('moves the same documents into the same rows', async () => {
    // The log's entries are not in this schema, so no step finds its seq: the rest must match.
    await checkMoved(store, false);
  });
});
