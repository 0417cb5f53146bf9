/**
 * Done-when of the event-time work, through the real CLI and server: import a month of
 * history as a backfill, find one person's actions by when they happened, hand an auditor a
 * CSV whose lines can be proven, and get no false alert from the import.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leafHash } from '../../src/core/merkle.js';
import { getJson, postEvents } from '../support/http.js';
import {
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const DAY = 86_400_000;

/** A month of history: daily reads by three people, plus what the ISO pack would flag live. */
function history(): string {
  const start = Date.now() - 35 * DAY;
  const lines: unknown[] = [];
  const people = [
    { id: 'u-1', name: 'Ada Lovelace', ip: '10.0.0.1' },
    { id: 'u-2', name: 'Bob', ip: '10.0.0.2' },
    { id: 'u-3', name: 'Cy', ip: '2001:db8::3' },
  ];
  for (let d = 0; d < 30; d++) {
    for (const [i, actor] of people.entries()) {
      lines.push({
        time: new Date(start + d * DAY + (9 + i) * 3_600_000).toISOString(),
        actor,
        action: 'customer.read',
        target: { type: 'customer', id: `c-${d}`, sensitivity: 'restricted' },
        outcome: 'success',
      });
    }
  }
  // Failed sign-ins then a success, at 03:00 (off hours) on one night.
  const night = start + 10 * DAY + 3 * 3_600_000;
  for (let k = 0; k < 6; k++) {
    lines.push({
      time: new Date(night + k * 60_000).toISOString(),
      actor: people[1],
      action: 'user.sign_in',
      outcome: k < 5 ? 'failure' : 'success',
    });
  }
  // Restricted data read at 02:00.
  lines.push({
    time: new Date(start + 12 * DAY + 2 * 3_600_000).toISOString(),
    actor: people[0],
    action: 'customer.export',
    target: { type: 'customer', id: 'c-all', sensitivity: 'restricted' },
    outcome: 'success',
  });
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

describe('event time, search and export through the CLI', () => {
  let dir: string;
  let server: ServerProcess;
  let token: string;
  let key: string;
  const remote = () => ['--url', server.url, '--token', token];

  before(async () => {
    dir = tempDir();
    server = await startServe({ dataDir: dir });
    token = (await server.waitFor(/Admin token[^\n]*\n\s+(eva_\S+)/))[1]!;
    const created = await runCli(['keys', 'create', '--source', 'crm', '--data', dir]);
    assert.equal(created.code, 0, created.stderr);
    key = lastLine(created.stdout);
  });
  after(async () => {
    await server?.kill();
    await killAllChildren();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a month as a backfill and raises no alert for it', async () => {
    const path = join(dir, 'history.ndjson');
    writeFileSync(path, history());
    const result = await runCli([
      'ingest',
      path,
      '--historical',
      '--key',
      key,
      '--url',
      server.url,
    ]);
    assert.equal(result.code, 0, result.stderr);
    // A live control the pack must flag: five failed sign-ins now. Once its alert is there,
    // the monitor has judged every imported entry before it.
    const now = Date.now();
    const live = Array.from({ length: 5 }, (_, k) => ({
      time: new Date(now + k).toISOString(),
      actor: { id: 'u-9' },
      action: 'user.sign_in',
      outcome: 'failure',
    }));
    assert.equal((await postEvents(server.url, key, live)).status, 201);
    let rules: string[] = [];
    for (let i = 0; i < 100 && rules.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const alerts = await getJson<{ alerts: { rule_id: string }[] }>(
        server.url,
        '/api/v1/alerts?source=crm&limit=100',
        token,
      );
      rules = alerts.body.alerts.map((a) => a.rule_id);
    }
    assert.deepEqual(rules, ['iso.failed-sign-ins']);
    const sources = await getJson<{ clock_skew: { p95_ms: number | null } }>(
      server.url,
      '/api/v1/sources/crm',
      token,
    );
    assert.ok((sources.body.clock_skew.p95_ms ?? 0) < 60_000, JSON.stringify(sources.body));
  });

  it("finds one person's actions by event time, showing time, actor, ip and flags", async () => {
    const day = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    const result = await runCli([
      'search',
      '--actor-name',
      'Ada Lovelace',
      '--time-from',
      day,
      '--time-to',
      day,
      '--tz',
      'UTC',
      ...remote(),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /time/);
    assert.match(result.stdout, /u-1 \(Ada Lovelace\)/);
    assert.match(result.stdout, /10\.0\.0\.1/);
    assert.match(result.stdout, /historical late/);
    assert.match(result.stdout, new RegExp(day));
    assert.match(result.stderr, /1 event\(s\), newest first by event time/);

    const none = await runCli(['search', '--source', 'nope', ...remote()]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /No events can match: no events from source "nope"/);
  });

  it('exports a CSV for an auditor whose lines each hash to their leaf', async () => {
    const out = join(dir, 'audit.csv');
    const result = await runCli([
      'export',
      '--format',
      'csv',
      '--out',
      out,
      '--actor',
      'u-1',
      '--action',
      'customer.*',
      ...remote(),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Exported 31 event\(s\)/);
    const text = readFileSync(out, 'utf8');
    const rows = text.trimEnd().split('\r\n');
    assert.match(rows[rows.length - 1]!, /^#trailer,count=31,tree_size=\d+,checkpoint=/);
    const header = rows[0]!.split(',');
    const first = rows[1]!;
    // The record column is the last one, quoted: un-quote and check its leaf hash.
    const record = /,"(\{.*\})"$/.exec(first)![1]!.replace(/""/g, '"');
    const leaf = first.split(',')[header.indexOf('leaf_hash')]!.replace(/^'/, '');
    assert.equal(Buffer.from(leafHash(record)).toString('base64'), leaf);
  });
});
