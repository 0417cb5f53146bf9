/**
 * `verify --url` with pages fetched ahead and checked on worker threads must say exactly what
 * the one-thread path says: the same tree on a good log, the first problem in seq order on a
 * server that lies about an entry, and the server's own refusal (status and reason) when a
 * worker's request is refused.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient, ApiError } from '../../src/client/api-client.js';
import { verifyRemote } from '../../src/verify/verify-remote.js';
import { ADMIN_TOKEN, event, type TestServer, testServer } from '../support/test-server.js';

/** More than two pages of the server's 1,000, so pages are fetched ahead and out of order. */
const EVENTS = 2600;

describe('verifyRemote with worker threads', () => {
  let t: TestServer;
  let url: string;
  let liar: Server;
  let liarUrl: string;
  /** The seq whose record the lying proxy changes (in the third page). */
  const changed = 2345;

  before(async () => {
    t = await testServer();
    const billing = await t.ingestKey('billing-api');
    for (let i = 0; i < EVENTS; i += 500) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...billing, 'content-type': 'application/json' },
        payload: JSON.stringify(
          Array.from({ length: 500 }, (_, k) => event({ actor: { id: `u-${i + k}` } })),
        ),
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    // A server that answers every page as the real one, but with one record changed.
    liar = createServer(async (req, res) => {
      const upstream = await fetch(url + req.url, {
        headers: { authorization: req.headers.authorization ?? '' },
      });
      let body = await upstream.text();
      if (req.url?.startsWith('/api/v1/log/entries') && upstream.ok) {
        const page = JSON.parse(body) as {
          entries: { seq: number; record: { actor: { id: string } } }[];
        };
        for (const e of page.entries) if (e.seq === changed) e.record.actor.id = 'someone-else';
        body = JSON.stringify(page);
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
  });
  after(async () => {
    liar?.close();
    await t.close();
  });

  const run = (baseUrl: string, threads: number, token = ADMIN_TOKEN, ahead?: number) =>
    verifyRemote(new ApiClient({ baseUrl, token }), {
      connection: { baseUrl, token },
      threads,
      ...(ahead === undefined ? {} : { ahead }),
    });

  it('builds the same tree on two threads as on this one, one page at a time', async () => {
    const one = await run(url, 0, ADMIN_TOKEN, 1);
    const two = await run(url, 2);
    assert.equal(one.ok, true, JSON.stringify(one.problems));
    assert.equal(two.ok, true, JSON.stringify(two.problems));
    assert.ok(two.treeSize > EVENTS, 'the log holds the events and its own audit events');
    // Each run's page reads are audited, so the second run sees a longer log: compare each
    // with what the server's checkpoint says at its size.
    for (const report of [one, two]) {
      assert.equal(report.entriesChecked, report.treeSize);
      const cp = await t.log.store.checkpoint(report.treeSize);
      assert.equal(report.rootHash, Buffer.from(cp!.rootHash).toString('base64'));
    }
  });

  it('names the first entry the server changed, on two threads as on one', async () => {
    for (const threads of [0, 2]) {
      const report = await run(liarUrl, threads);
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]?.kind, 'leaf_mismatch', `threads ${threads}`);
      assert.equal(report.problems[0]?.seq, changed, `threads ${threads}`);
      assert.equal(report.entriesChecked, changed, 'every entry before it was folded');
    }
  });

  it("passes on the server's refusal of a worker's request with its status and reason", async () => {
    // A grant limited to some sources may read the log's head but not its raw pages.
    const scoped = await t.principal({ roles: ['auditor'], sources: ['billing-*'] });
    const token = scoped.authorization.replace(/^Bearer /, '');
    const refusals = [];
    for (const threads of [0, 2]) {
      const error = await run(url, threads, token).then(
        () => assert.fail('a scoped token must not read raw pages'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ApiError, `threads ${threads}: ${String(error)}`);
      refusals.push({ status: error.status, reason: error.reason, message: error.message });
    }
    assert.equal(refusals[0]!.status, 403);
    assert.deepEqual(refusals[1], refusals[0]);
  });
});
