import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readPackZip } from '../../src/evidence/pack-zip.js';
import { fillReportLog, REPORT_DAY } from '../evidence/report-log.js';
import { runCli } from '../support/processes.js';
import { type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

/** `evident report` and `evident pack create --url` against a listening server. */
describe('evident report | pack create --url', () => {
  let t: TestServer;
  let url: string;
  let auditor: TestPrincipal;

  before(async () => {
    t = await testServer();
    await fillReportLog(t.log, t.clock);
    auditor = await t.principal({ roles: ['auditor'] });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => t.close());

  const token = () => auditor.authorization.slice('Bearer '.length);

  it('writes a report in the format asked for and says what it was computed from', async () => {
    const out = `${t.dir}/coverage.csv`;
    const r = await runCli([
      'report',
      'coverage',
      '--from',
      REPORT_DAY,
      '--to',
      REPORT_DAY,
      '--format',
      'csv',
      '--out',
      out,
      '--url',
      url,
      '--token',
      token(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /computed from the log as of the checkpoint of tree size \d+/);
    assert.match(readFileSync(out, 'utf8'), /^source,events,[\s\S]*\r\n#as_of,tree_size=\d+/);
  });

  it('names the report kinds when given an unknown one', async () => {
    const r = await runCli([
      'report',
      'everything',
      '--from',
      REPORT_DAY,
      '--to',
      REPORT_DAY,
      '-o',
      '-',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /access, access-changes, alert-handling, coverage/);
  });

  it('downloads a pack the server cut and notarised', async () => {
    const out = `${t.dir}/pack.zip`;
    const r = await runCli([
      'pack',
      'create',
      '--from',
      REPORT_DAY,
      '--to',
      REPORT_DAY,
      '--out',
      out,
      '--url',
      url,
      '--token',
      token(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /notarised with manifest SHA-256 [0-9a-f]{64}/);
    const files = readPackZip(new Uint8Array(readFileSync(out)));
    assert.ok(files.has('report-alert-handling.pdf'));
  });
});
