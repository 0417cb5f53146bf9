/**
 * The newcomer's first hour, through the real CLI and a real server: serve, make a key,
 * post with a plain HTTP client, ingest files and stdin, search, prove, verify, list and
 * revoke keys, and get clear errors for bad input.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ulid } from 'ulid';
import { type AppendResponse, getJson, postEvents, type StoredEvent } from '../support/http.js';
import {
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** An event for `actor`; the n-th one differs in action and target. */
function ev(actor: string, n: number, extra: Record<string, unknown> = {}) {
  return {
    time: `2026-11-22T09:14:0${n % 10}.120Z`,
    actor: { id: actor, type: 'user' },
    action: n % 2 === 0 ? 'customer.read' : 'customer.update',
    target: { type: 'customer', id: `c-${n}` },
    outcome: 'success',
    ...extra,
  };
}

describe('the CLI, end to end', () => {
  let dir: string;
  let server: ServerProcess;
  let url: string;
  let token: string;
  let key: string;
  let keyId: string;
  let postedSeq: number;
  let postedId: string;
  let keptCheckpoint: string;

  before(async () => {
    dir = tempDir();
    server = await startServe({ dataDir: dir });
    url = server.url;
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], input?: string) =>
    runCli(args, input === undefined ? {} : { input });
  const remote = () => ['--url', url, '--token', token];
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** `evident search --actor A --json --all`, parsed. */
  const search = async (actor: string): Promise<StoredEvent[]> => {
    const result = await cli(['search', '--actor', actor, '--json', '--all', ...remote()]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as StoredEvent);
  };

  it('serve prints where it listens and the admin token, once, also saved to the folder', async () => {
    const match = await server.waitFor(/Admin token[^\n]*\n\s+(eva_\S+)/);
    token = match[1]!;
    assert.equal(readFileSync(join(dir, 'admin.token'), 'utf8').trim(), token);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  });

  it('keys create prints a key (last line) that a plain HTTP client can append with', async () => {
    const created = await cli([
      'keys',
      'create',
      '--source',
      'billing-api',
      '--label',
      'e2e',
      '--data',
      dir,
    ]);
    assert.equal(created.code, 0, created.stderr);
    key = lastLine(created.stdout);
    assert.match(key, /^evk_[0-9a-f]{16}_\S+$/);
    keyId = /ingest key ([0-9a-f]{16})/.exec(created.stdout)![1]!;
    assert.equal(key.slice(4, 20), keyId);

    postedId = ulid();
    const res = await postEvents(url, key, ev('curl-user', 0, { id: postedId }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const body = res.body as AppendResponse;
    assert.equal(body.entries[0]!.id, postedId);
    postedSeq = body.entries[0]!.seq;
    assert.ok(Number(body.checkpoint.split('\n')[1]) > postedSeq);

    const stored = await getJson<StoredEvent>(url, `/api/v1/events/${postedId}`, token);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.seq, postedSeq);
    assert.equal(stored.body.record.source, 'billing-api');
    // Without the admin token, reads are refused.
    assert.equal((await getJson(url, `/api/v1/events/${postedId}`, key)).status, 403);
  });

  it('ingest NDJSON with and without ids, a blank line and CRLF line ends', async () => {
    const withId = ulid();
    const alsoWithId = ulid();
    const lines = [
      JSON.stringify(ev('ndjson-user', 1, { id: withId })),
      JSON.stringify(ev('ndjson-user', 2)),
      '',
      JSON.stringify(ev('ndjson-user', 3)),
      JSON.stringify(ev('ndjson-user', 4, { id: alsoWithId })),
    ];
    const path = file('events.ndjson', `${lines.join('\r\n')}\r\n`);
    const result = await cli(['ingest', path, '--key', key, '--url', url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Ingested 4 event\(s\) .*: 4 new, 0 already stored/);

    const found = await search('ndjson-user');
    assert.equal(found.length, 4);
    const ids = found.map((e) => e.record.id);
    assert.ok(ids.includes(withId) && ids.includes(alsoWithId), ids.join(' '));
    for (const id of ids) assert.match(id, ULID);
    assert.deepEqual(found.map((e) => (e.record.target as { id: string }).id).sort(), [
      'c-1',
      'c-2',
      'c-3',
      'c-4',
    ]);

    // Re-running the file stores the events with ids once; those without get new ids.
    const again = await cli(['ingest', path, '--key', key, '--url', url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Ingested 4 event\(s\) .*: 2 new, 2 already stored/);
    const after2 = await search('ndjson-user');
    assert.equal(after2.length, 6);
    assert.equal(after2.filter((e) => e.record.id === withId).length, 1);
  });

  it('ingest a JSON array file', async () => {
    const events = [ev('array-user', 1), ev('array-user', 2), ev('array-user', 3, { id: ulid() })];
    const path = file('events.json', JSON.stringify(events, null, 2));
    const result = await cli(['ingest', path, '--key', key, '--url', url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Ingested 3 event\(s\)/);
    const found = await search('array-user');
    assert.equal(found.length, 3);
    assert.deepEqual(found.map((e) => e.record.action).sort(), [
      'customer.read',
      'customer.update',
      'customer.update',
    ]);
  });

  it('ingest from stdin, keeping the final checkpoint', async () => {
    const input = `${[1, 2].map((n) => JSON.stringify(ev('stdin-user', n))).join('\n')}\n`;
    keptCheckpoint = join(dir, 'kept-checkpoint.txt');
    const result = await cli(
      ['ingest', '-', '--key', key, '--url', url, '--checkpoint-out', keptCheckpoint],
      input,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Ingested 2 event\(s\)/);
    assert.equal((await search('stdin-user')).length, 2);
    assert.match(readFileSync(keptCheckpoint, 'utf8'), /^evident\.local\/\S+\n\d+\n/);
  });

  it('search --actor --json returns exactly what was stored, newest first', async () => {
    const found = await search('curl-user');
    assert.equal(found.length, 1);
    const [entry] = found;
    assert.equal(entry!.seq, postedSeq);
    assert.equal(entry!.record.id, postedId);
    assert.equal(entry!.record.source, 'billing-api');
    assert.equal(entry!.record.action, 'customer.read');
    const many = await search('ndjson-user');
    const seqs = many.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    // The environment works as well as flags.
    const viaEnv = await runCli(['search', '--actor', 'curl-user', '--json'], {
      env: { EVIDENT_URL: url, EVIDENT_TOKEN: token },
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal(viaEnv.stdout.trim().split('\n').length, 1);
  });

  it('proof --seq, --id and --since print Verified', async () => {
    const bySeq = await cli(['proof', '--seq', String(postedSeq), ...remote()]);
    assert.equal(bySeq.code, 0, bySeq.stderr);
    assert.match(
      bySeq.stderr,
      new RegExp(`Verified: entry ${postedSeq} is in the tree of size \\d+`),
    );
    assert.equal(JSON.parse(bySeq.stdout).seq, postedSeq);
    const byId = await cli(['proof', '--id', postedId, ...remote()]);
    assert.equal(byId.code, 0, byId.stderr);
    assert.match(byId.stderr, /Verified/);
    // The checkpoint ingest kept: the log still extends it (consistency proof).
    const since = await cli(['proof', '--since', keptCheckpoint, ...remote()]);
    assert.equal(since.code, 0, since.stderr);
    assert.match(since.stderr, /Verified: the log of size \d+ extends your checkpoint of size \d+/);
  });

  it('verify --url --token prints OK', async () => {
    const result = await cli(['verify', ...remote()]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^OK: \d+ entries/m);
  });

  it('keys list shows the key, never its secret', async () => {
    const table = await cli(['keys', 'list', '--data', dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(keyId));
    assert.match(table.stdout, /billing-api/);
    assert.ok(!table.stdout.includes(key.slice(21)), 'the secret is printed');
    const json = await cli(['keys', 'list', '--json', '--data', dir]);
    const rows = JSON.parse(json.stdout) as { id: string; source: string; revoked_at: unknown }[];
    assert.deepEqual(
      rows.map((r) => [r.id, r.source, r.revoked_at]),
      [[keyId, 'billing-api', null]],
    );
  });

  it('an ingest with a bad record on line 3 exits non-zero, names line 3, stores nothing of it', async () => {
    const lines = [
      JSON.stringify(ev('bad-batch-user', 1)),
      '',
      JSON.stringify({ ...ev('bad-batch-user', 3), actr: 'typo' }),
      JSON.stringify(ev('bad-batch-user', 4)),
    ];
    const path = file('bad.ndjson', `${lines.join('\n')}\n`);
    const result = await cli(['ingest', path, '--key', key, '--url', url]);
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, /line 3\b/);
    assert.match(result.stderr, /actr/);
    assert.doesNotMatch(result.stdout, /Ingested/);
    assert.equal((await search('bad-batch-user')).length, 0);

    // Not JSON at all on line 3: refused before anything is sent.
    const broken = file(
      'broken.ndjson',
      `${[lines[0], '', '{"time": oops', lines[3]].join('\n')}\n`,
    );
    const notJson = await cli(['ingest', broken, '--key', key, '--url', url]);
    assert.notEqual(notJson.code, 0);
    assert.match(notJson.stderr, /line 3\b/);
    assert.equal((await search('bad-batch-user')).length, 0);

    // With small batches, earlier batches are in; the failing batch is not.
    const small = await cli(['ingest', path, '--batch-size', '1', '--key', key, '--url', url]);
    assert.notEqual(small.code, 0);
    assert.match(small.stderr, /line 3\b/);
    const stored = await search('bad-batch-user');
    assert.deepEqual(
      stored.map((e) => (e.record.target as { id: string }).id),
      ['c-1'],
    );
  });

  it('keys revoke makes the key stop working at once (401)', async () => {
    const revoked = await cli(['keys', 'revoke', keyId, '--data', dir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Revoked ingest key ${keyId}`));
    const res = await postEvents(url, key, ev('after-revoke', 1));
    assert.equal(res.status, 401, JSON.stringify(res.body));
    const ingest = await cli(
      ['ingest', '-', '--key', key, '--url', url],
      JSON.stringify(ev('after-revoke', 2)),
    );
    assert.notEqual(ingest.code, 0);
    assert.match(ingest.stderr, /revoked/);
    assert.equal((await search('after-revoke')).length, 0);
    const json = await cli(['keys', 'list', '--json', '--data', dir]);
    const [row] = JSON.parse(json.stdout) as { revoked_at: string | null }[];
    assert.match(row!.revoked_at ?? '', /^\d{4}-\d\d-\d\dT/);
    const unknown = await cli(['keys', 'revoke', '0000000000000000', '--data', dir]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no ingest key/);
  });

  it('after a clean stop, verify --data passes on the folder', async () => {
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.output());
    const result = await cli(['verify', '--data', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^OK: /m);
  });

  it('verify --data on a folder that does not exist exits non-zero with a clear message', async () => {
    const missing = join(dir, 'no-such-folder');
    const result = await cli(['verify', '--data', missing]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no Evident database at .*no-such-folder/);
    assert.equal(existsSync(missing), false, 'verify created the folder');
  });
});
