/**
 * `evident alerts …` through the real CLI (a child process) against the test server
 * listening on loopback.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { duration } from '../../../src/cli/alerts.js';
import { killAllChildren, runCli } from '../../support/processes.js';
import { type TestServer, testServer } from '../../support/test-server.js';
import { alertEvents, alertService, newAlert, tokenFor } from './support.js';

describe('evident alerts (CLI)', () => {
  let t: TestServer;
  let url: string;
  let reviewer: string;
  let id: string;

  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    reviewer = (await tokenFor(t, 'rita', [{ role: 'reviewer' }])).authorization.slice(7);
    id = (await alertService(t).service.raise(newAlert())).id;
  });
  after(async () => {
    await killAllChildren();
    await t.close();
  });

  const cli = (...args: string[]) => runCli(['alerts', ...args, '--url', url, '--token', reviewer]);

  it('lists, acknowledges, comments, resolves and shows the history', async () => {
    const list = await cli('list', '--state', 'open', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
      [id],
    );

    for (const args of [
      ['ack', id],
      ['comment', id, 'looking into it'],
      ['assign', id, 'rita'],
      ['resolve', id, '--disposition', 'false_positive', '--note', 'a load test'],
    ]) {
      const res = await cli(...args);
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
    }
    const show = await cli('show', id);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`alert +${id} \\(high, resolved\\)`));
    assert.match(show.stdout, /resolution +false_positive by acct-rita at .*: a load test/);
    assert.match(show.stdout, /assignee +rita \(acct-rita\)/);
    assert.match(show.stdout, / assign +rita +to rita \(acct-rita\)/);
    const table = await cli('list', '--assignee', 'rita');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /│ 'rita' +│/, 'the table names the assignee');
    assert.match(table.stderr, /^1 alert\(s\)/);
    const steps = show.stdout.split('\n').filter((l) => /^ {2}\d{4}-/.test(l));
    assert.deepEqual(
      steps.map((l) => l.split(/\s+/)[4]),
      ['raise', 'acknowledge', 'comment', 'assign', 'resolve'],
    );
    const events = await alertEvents(t, id);
    assert.deepEqual(
      steps.map((l) => Number(l.split(/\s+/)[3])),
      events.map((e) => e.seq),
      'the CLI shows the seq of each step',
    );
  });

  it('refusals exit non-zero with the server message', async () => {
    const again = await cli('ack', id);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /is resolved.*only an alert that is open can be acknowledged/);
    const noDisposition = await cli('resolve', id, '--note', 'x');
    assert.notEqual(noDisposition.code, 0);
    assert.match(noDisposition.stderr, /--disposition/);
    const badChoice = await cli('resolve', id, '--disposition', 'fine', '--note', 'x');
    assert.match(badChoice.stderr, /Allowed choices are true_positive, false_positive/);
  });

  it('exports CSV to a file and prints metrics', async () => {
    const file = join(t.dir, 'alerts.csv');
    const exported = await cli('export', '--format', 'csv', '-o', file);
    assert.equal(exported.code, 0, exported.stderr);
    const rows = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.equal(rows.length, 2);
    assert.ok(rows[1]!.startsWith(`${id},`));

    const metrics = await cli('metrics', '--json');
    assert.equal(metrics.code, 0, metrics.stderr);
    const body = JSON.parse(metrics.stdout);
    assert.equal(body.overall.alerts, 1);
    assert.equal(body.dispositions.false_positive, 1);
    const table = await cli('metrics');
    assert.match(table.stdout, /dispositions: true_positive 0, false_positive 1/);
  });

  it('acknowledges and resolves by filter with --all, after a dry run that changes nothing', async () => {
    const { service } = alertService(t);
    const ids = [
      (await service.raise(newAlert({ key: 'cli-bulk-1', ruleId: 'r.cli' }))).id,
      (await service.raise(newAlert({ key: 'cli-bulk-2', ruleId: 'r.cli' }))).id,
    ];
    const dry = await cli('ack', '--all', '--rule', 'r.cli', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /2 alert\(s\) match: 2 would be acknowledged, 0 already/);
    for (const a of ids) assert.equal((await service.get(a))!.value.state, 'open');
    const ack = await cli('ack', '--all', '--rule', 'r.cli');
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, /2 alert\(s\) matched: 2 acknowledged now/);
    const resolve = await cli(
      'resolve',
      '--all',
      '--rule',
      'r.cli',
      '--disposition',
      'benign',
      '--note',
      'backfill',
      '--json',
    );
    assert.equal(resolve.code, 0, resolve.stderr);
    assert.deepEqual(new Set(JSON.parse(resolve.stdout).changed_ids), new Set(ids));
    for (const a of ids) assert.equal((await service.get(a))!.value.state, 'resolved');
    const noFilter = await cli('ack', '--all');
    assert.equal(noFilter.code, 1);
    assert.match(noFilter.stderr, /--all needs at least one filter/);
    const mixed = await cli('ack', ids[0]!, '--rule', 'r.cli');
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /go with --all/);
    const neither = await cli('ack');
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /or use --all/);
  });

  it('formats durations for people', () => {
    assert.equal(duration(null), '-');
    assert.equal(duration(4_400), '4s');
    assert.equal(duration(125_000), '2m 05s');
    assert.equal(duration(3_723_000), '1h 02m 03s');
  });
});
