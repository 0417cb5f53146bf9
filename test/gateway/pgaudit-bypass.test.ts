import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { MonitorEngine } from '../../src/monitor/engine/engine.js';
import { drain, RecordingSink } from '../monitor/engine/support.js';
import { GATEWAY_TESTS, type Harness, startHarness } from './gateway-harness.js';
import {
  PGAUDIT_AVAILABLE,
  startPgauditCluster,
  type ThrowawayCluster,
} from './throwaway-cluster.js';

/** The rule docs/gateway.md gives for bypass detection, as written there. */
const BYPASS_RULE = `rules:
  - id: gateway.bypass
    title: The gateway's upstream role ran a statement outside the gateway
    severity: high
    match:
      source: pg-audit
      actor.id: gwsvc
      details.pgaudit: { exists: true }
      not:
        details.application: { prefix: evident/ }
`;

const IN_CI = process.env.CI === 'true';

/**
 * Bypass detection: pgAudit on the database logs every statement with its session's
 * application_name (csvlog); one by the gateway's upstream role without the gateway's
 * `evident/<session>` came from somewhere else, and the rule above raises an alert for it.
 * A cluster of its own (pgAudit needs shared_preload_libraries, so a restart).
 */
describe('gateway bypass detection with pgAudit', {
  skip:
    (!GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set') ||
    (!PGAUDIT_AVAILABLE && !IN_CI && 'postgresql-15-pgaudit is not installed'),
}, () => {
  let cluster: ThrowawayCluster;
  let h: Harness;

  before(async () => {
    cluster = await startPgauditCluster();
    const admin = new Client({
      host: '127.0.0.1',
      port: cluster.port,
      user: 'postgres',
      database: 'postgres',
    });
    await admin.connect();
    await admin.query('create role gwsvc login');
    await admin.query('create database test');
    await admin.end();
    const test = new Client({
      host: '127.0.0.1',
      port: cluster.port,
      user: 'postgres',
      database: 'test',
    });
    await test.connect();
    await test.query(
      'create table t (id int); insert into t values (1); grant select on t to gwsvc',
    );
    await test.end();
    h = await startHarness({ upstream: `postgres://gwsvc@127.0.0.1:${cluster.port}/test` });
  });
  after(async () => {
    await h?.close();
    cluster?.stop();
  });

  it('alerts on the upstream role without the gateway, not on the gateway itself', async () => {
    const rules = await h.server.app.inject({
      method: 'PUT',
      url: '/api/v1/rules',
      headers: { ...h.server.admin, 'content-type': 'application/yaml' },
      payload: BYPASS_RULE,
    });
    assert.equal(rules.statusCode, 200, rules.body);
    const sink = new RecordingSink();
    const engine = new MonitorEngine({
      store: h.server.log.store,
      sink,
      clock: h.server.clock,
      holder: 'bypass-test',
    });
    await engine.step(); // the engine starts at the log's end

    const through = await h.connect();
    assert.equal((await through.query('select id from t where id = 0 + 1')).rowCount, 1);
    const direct = new Client({
      host: '127.0.0.1',
      port: cluster.port,
      user: 'gwsvc',
      database: 'test',
      application_name: 'psql',
    });
    await direct.connect();
    await direct.query('select id from t where id = 2 - 1');
    await direct.end();
    let csv = '';
    for (let i = 0; i < 100 && !csv.includes('2 - 1'); i++) {
      await sleep(100);
      csv = cluster.csvlog();
    }
    assert.match(csv, /AUDIT: SESSION,\d+,\d+,READ,SELECT/);

    const { authorization } = await h.server.ingestKey('pg-audit');
    const ingested = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/postgres-csvlog',
      headers: { authorization, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(ingested.statusCode, 201, ingested.body);
    await drain(engine);

    const alerts = [...sink.created.values()].filter((a) => a.ruleId === 'gateway.bypass');
    assert.equal(alerts.length, 1, JSON.stringify(sink.calls));
    const res = await h.server.app.inject({
      method: 'GET',
      url: `/api/v1/events?source=pg-audit&actor=gwsvc&limit=100`,
      headers: h.server.admin,
    });
    const audited = res.json().entries as {
      seq: number;
      record: { reason?: string; details: { application?: string } };
    }[];
    const bySeq = new Map(audited.map((e) => [e.seq, e.record]));
    const flagged = alerts[0]!.seqs.map((s) => bySeq.get(s));
    assert.deepEqual(
      flagged.map((r) => [r?.reason, r?.details.application]),
      [['select id from t where id = 2 - 1', 'psql']],
    );
    const viaGateway = audited.find((e) => e.record.reason?.includes('0 + 1'));
    assert.match(
      viaGateway?.record.details.application ?? '',
      /^evident\//,
      "the gateway's own statement is not an alert",
    );
  });
});
