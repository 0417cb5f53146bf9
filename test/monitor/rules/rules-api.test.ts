import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Grant } from '../../../src/access/principal.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { MonitorEngine } from '../../../src/monitor/engine/engine.js';
import { textHash } from '../../../src/monitor/rules/compile-layers.js';
import { startMonitor } from '../../../src/monitor/start-monitor.js';
import { type TestServer, testServer } from '../../support/test-server.js';
import { RecordingSink } from '../engine/support.js';

const RULES = `rules:
  - id: team.exports
    title: Many exports
    severity: medium
    match: { action: { suffix: .export } }
    threshold: { count: 3, window: 10m, group_by: [actor.id] }
  - { id: iso.role-grant, enabled: false }
`;

describe('HTTP API: rules', () => {
  let t: TestServer;
  const tokens = new Map<string, { authorization: string }>();

  before(async () => {
    t = await testServer();
    const tokenFor = async (name: string, grants: Grant[]) => {
      const { authorization } = await t.principal({ id: `acct-${name}`, name, roles: grants });
      tokens.set(name, { authorization });
    };
    await tokenFor('auditor', [{ role: 'auditor' }]);
    await tokenFor('admin', [{ role: 'admin' }]);
    // The pack layer, as `evident serve` records it at start.
    const audit = new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
    const monitor = await startMonitor({
      store: t.log.store,
      sink: new AlertService({ store: t.log.store, audit, clock: t.clock }),
      audit,
      clock: t.clock,
      pollMs: 60_000,
    });
    await monitor.stop();
  });
  after(async () => t?.close());

  const request = (
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    who: string,
    payload?: string,
    contentType = 'application/yaml',
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        ...(who === 'bootstrap' ? t.admin : tokens.get(who)),
        ...(payload !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });

  it('GET lists the pack with each rule layer, hash and the seq it applies from', async () => {
    const res = await request('GET', '/api/v1/rules', 'auditor');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.ok(body.rules.length >= 9);
    assert.ok(body.rules.every((r: { layer: string }) => r.layer === 'pack'));
    assert.deepEqual(
      body.layers.map((l: { layer: string }) => l.layer),
      ['pack'],
    );
    assert.equal(body.layers[0].sha256, textHash(body.layers[0].text));
    assert.equal(body.layers[0].from_seq, body.layers[0].event_seq + 1);
    assert.deepEqual(body.packs, { iso27001: true });
  });

  it('validate answers problems with line, column and path, and changes nothing', async () => {
    const res = await request(
      'POST',
      '/api/v1/rules/validate',
      'auditor',
      'rules:\n  - id: x\n    title: X\n    severity: hgh\n    match: { action: a.b }\n',
    );
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.valid, false);
    assert.deepEqual(body.problems[0], {
      line: 4,
      col: 15,
      path: 'rules[0].severity',
      message: 'severity "hgh" is not one of low, medium, high, critical (did you mean "high"?)',
      text: 'api:4:15: rules[0].severity: severity "hgh" is not one of low, medium, high, critical (did you mean "high"?)',
    });
    const ok = (await request('POST', '/api/v1/rules/validate', 'auditor', RULES)).json();
    assert.equal(ok.valid, true);
  });

  it('PUT needs rules.manage; an auditor gets 403', async () => {
    const res = await request('PUT', '/api/v1/rules', 'auditor', RULES);
    assert.equal(res.statusCode, 403);
  });

  it('PUT refuses invalid rules with a 400 naming line, column and path', async () => {
    const res = await request(
      'PUT',
      '/api/v1/rules',
      'admin',
      JSON.stringify({ rules: [{ id: 'y', title: 'Y', severity: 'low', match: { actr: 1 } }] }),
      'application/json',
    );
    assert.equal(res.statusCode, 400);
    const error = res.json().error;
    assert.equal(error.code, 'bad_request');
    assert.equal(error.path, 'rules[0].match.actr');
    assert.match(
      error.message,
      /api:1:\d+: rules\[0\]\.match\.actr: "actr" is not a record field \(did you mean "actor"\?\)/,
    );
    const empty = await request('PUT', '/api/v1/rules', 'admin', ' ');
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.reason, 'empty_body');
  });

  it('PUT records the API layer as a rules.update event and the engine applies it after that seq', async () => {
    const before = (await t.log.store.head())!.size;
    const res = await request('PUT', '/api/v1/rules', 'admin', RULES);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.sha256, textHash(RULES));
    assert.ok(body.event_seq >= before);
    assert.equal(body.from_seq, body.event_seq + 1);

    const event = JSON.parse((await t.log.store.entryBySeq(body.event_seq))!.record);
    assert.equal(event.source, 'evident');
    assert.equal(event.action, 'rules.update');
    assert.equal(event.actor.id, 'acct-admin');
    assert.deepEqual(event.details, { layer: 'api', sha256: textHash(RULES), rules: 1 });

    const listed = (await request('GET', '/api/v1/rules', 'auditor')).json();
    const byId = new Map(listed.rules.map((r: { id: string }) => [r.id, r]));
    assert.deepEqual(byId.get('team.exports'), {
      id: 'team.exports',
      title: 'Many exports',
      description: null,
      severity: 'medium',
      kind: 'threshold',
      enabled: true,
      layer: 'api',
      definition: {
        id: 'team.exports',
        title: 'Many exports',
        severity: 'medium',
        match: { action: { suffix: '.export' } },
        threshold: { count: 3, window: '10m', group_by: ['actor.id'] },
      },
    });
    assert.equal((byId.get('iso.role-grant') as { enabled: boolean }).enabled, false);
    assert.equal(listed.layers.find((l: { layer: string }) => l.layer === 'api').text, RULES);

    // An engine that reaches the event switches to the new rules from the next entry on.
    const sink = new RecordingSink();
    const engine = new MonitorEngine({
      store: t.log.store,
      sink,
      clock: t.clock,
      holder: 'api-test',
      startAt: 'beginning',
    });
    const billing = await t.ingestKey('billing-api');
    for (let i = 0; i < 3; i++) {
      const post = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...billing, 'content-type': 'application/json' },
        payload: JSON.stringify({
          time: '2026-11-22T09:00:00.000Z',
          actor: { id: 'exporter' },
          action: 'customer.export',
          outcome: 'success',
        }),
      });
      assert.equal(post.statusCode, 201);
    }
    while ((await engine.step()) > 0) {}
    const raised = [...sink.created.values()].map((a) => a.ruleId);
    assert.ok(raised.includes('team.exports'), raised.join(', '));
    assert.ok(!raised.includes('iso.role-grant'));
    await engine.stop();
  });
});
