import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toBase64 } from '../../src/core/bytes.js';
import { leafHash } from '../../src/core/merkle.js';
import { call, event, type TestServer, testServer } from '../support/test-server.js';
import { validateOcsf } from './ocsf-validator.js';

/** Reads a streaming response line by line (blank lines included: they are heartbeats). */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const next = async (): Promise<string | undefined> => {
    for (;;) {
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        return line;
      }
      if (ended) return undefined;
      const chunk = await reader.read();
      if (chunk.done) ended = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    response,
    next,
    /** The next n non-blank lines. */
    take: async (n: number) => {
      const lines: string[] = [];
      while (lines.length < n) {
        const line = await next();
        if (line === undefined) break;
        if (line !== '') lines.push(line);
      }
      return lines;
    },
    close: () => controller.abort(),
  };
}

describe('GET /api/v1/events/stream', () => {
  let t: TestServer;
  let url: string;
  let ingest: { authorization: string };
  let other: { authorization: string };
  let auditor: { authorization: string };
  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    ingest = await t.ingestKey('billing-api');
    other = await t.ingestKey('hr-app');
    auditor = (await t.principal({ roles: ['auditor'] })).headers;
  });
  after(async () => {
    await t.close();
  });

  const append = async (key: { authorization: string }, events: unknown[]) => {
    const res = await call(t, 'POST', '/api/v1/events', key, events);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { entries: { seq: number; id: string }[] };
  };

  it('exports up to the head with follow=false, as stored, and audits the export first', async () => {
    await append(ingest, [event({ action: 'customer.read' }), event({ action: 'invoice.send' })]);
    const res = await call(t, 'GET', '/api/v1/events/stream?follow=false&after=0', auditor);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.seq),
      lines.map((_, i) => i + 1),
    );
    for (const l of lines) {
      // The record is byte for byte what was hashed.
      const text = JSON.stringify(l.record);
      assert.equal(l.leaf_hash, toBase64(leafHash(text)));
    }
    const audit = await call(t, 'GET', '/api/v1/events?action=audit_log.stream&limit=1', auditor);
    const last = (audit.json() as { entries: { record: { details: Record<string, unknown> } }[] })
      .entries[0]!;
    assert.deepEqual(last.record.details, {
      after: 0,
      format: 'ndjson',
      follow: false,
      transport: 'ndjson',
      scope: ['*'],
    });
  });

  it('follows the live log as OCSF, valid against the OCSF schema, and resumes after a disconnect without gaps or duplicates', async () => {
    const start = (await t.log.store.head())!.size - 1;
    const first = await openStream(
      `${url}/api/v1/events/stream?format=ocsf&after=${start}`,
      auditor,
    );
    assert.equal(first.response.status, 200);
    // The stream's own audit event (source evident) comes first.
    const seen: number[] = [];
    const record = (line: string) => {
      const ocsf = JSON.parse(line);
      assert.deepEqual(validateOcsf(ocsf), [], line);
      seen.push(ocsf.metadata.sequence);
      return ocsf;
    };
    record((await first.take(1))[0]!);
    const written: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await append(ingest, [
        event({ action: 'session.sign_in' }),
        event({ action: 'db.query' }),
      ]);
      written.push(...r.entries.map((e) => e.seq));
    }
    for (const line of await first.take(6)) record(line);
    first.close();
    // Written while nobody listened, then read from the last seq seen.
    for (let i = 0; i < 2; i++) {
      const r = await append(ingest, [
        event({ action: 'principal.disable', target: { type: 'principal', id: 'p-1' } }),
      ]);
      written.push(...r.entries.map((e) => e.seq));
    }
    const resumed = await openStream(
      `${url}/api/v1/events/stream?format=ocsf&after=${seen.at(-1)}`,
      auditor,
    );
    const more = await resumed.take(3);
    resumed.close();
    for (const line of more) record(line);
    // Every written seq arrives once, in order; the rest are the streams' own audit events.
    assert.deepEqual(
      seen.filter((s) => written.includes(s)),
      written,
    );
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
    );
    assert.ok(
      seen.every((s, i) => i === 0 || s === seen[i - 1]! + 1),
      `gap in ${seen}`,
    );
  });

  it('serves server-sent events that resume from Last-Event-ID', async () => {
    const head = (await t.log.store.head())!.size;
    const res = await call(t, 'GET', `/api/v1/events/stream?follow=false&format=ecs`, {
      ...auditor,
      accept: 'text/event-stream',
      'last-event-id': String(head - 2),
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const ids = [...res.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(ids, [head - 1]);
    const data = JSON.parse(/^data: (.*)$/m.exec(res.body)![1]!);
    assert.equal(data.event.sequence, head - 1);
  });

  it('keeps a scoped reader to its sources', async () => {
    await append(other, [event({ action: 'employee.read' })]);
    const scoped = await t.principal({ roles: ['auditor'], sources: ['hr-*'] });
    const res = await call(t, 'GET', '/api/v1/events/stream?follow=false', scoped.headers);
    assert.equal(res.statusCode, 200);
    const sources = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).record.source);
    assert.ok(sources.length >= 1);
    assert.deepEqual([...new Set(sources)], ['hr-app']);
  });

  it('sends heartbeats while the log is quiet', async () => {
    const head = (await t.log.store.head())!.size;
    // after = head: only the stream's own audit event, then silence.
    const s = await openStream(
      `${url}/api/v1/events/stream?after=${head - 1}&heartbeat=1`,
      auditor,
    );
    assert.equal((await s.take(1)).length, 1);
    const started = Date.now();
    assert.equal(await s.next(), '');
    s.close();
    assert.ok(Date.now() - started < 5_000);
  });

  it('refuses bad parameters with a 400 naming them, and ingest keys with a 403', async () => {
    const cases: [string, string][] = [
      ['format=xml', 'format'],
      ['after=-1', 'after'],
      ['after=abc', 'after'],
      ['follow=maybe', 'follow'],
      ['heartbeat=0', 'heartbeat'],
      ['limit=3', 'limit'],
    ];
    for (const [query, path] of cases) {
      const res = await call(t, 'GET', `/api/v1/events/stream?${query}`, auditor);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error.path, path);
    }
    const bad = await call(t, 'GET', '/api/v1/events/stream', {
      ...auditor,
      accept: 'text/event-stream',
      'last-event-id': 'x',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, 'Last-Event-ID');
    const res = await call(t, 'GET', '/api/v1/events/stream', ingest);
    assert.equal(res.statusCode, 403);
    const reviewer = await t.principal({ roles: ['reviewer'] });
    assert.equal((await call(t, 'GET', '/api/v1/events/stream', reviewer.headers)).statusCode, 403);
  });
});

describe('GET /api/v1/events/stream on shutdown', () => {
  it('ends open streams cleanly when the server closes', async () => {
    const t = await testServer();
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const auditor = (await t.principal({ roles: ['auditor'] })).headers;
    const s = await openStream(`${url}/api/v1/events/stream`, auditor);
    await s.take(1);
    const closing = t.close();
    // The body ends (no error): the consumer resumes from its last seq elsewhere.
    let lines = 0;
    for (let line = await s.next(); line !== undefined; line = await s.next()) lines++;
    assert.equal(lines, 0);
    // The connection is idle now; the keep-alive socket is the client's to drop.
    t.app.server.closeIdleConnections();
    await closing;
  });
});
