import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { EvidentClient } from '../src/index.js';
import { evidentAudit } from '../src/middleware/express.js';
import { registerEvidentAudit } from '../src/middleware/fastify.js';
import { traceIdOf } from '../src/middleware/http-event.js';
import { type ListeningServer, listeningServer } from './support.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A client whose sends wait until `open()`: proves requests never wait for the log. */
function gatedClient(s: ListeningServer) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const client = new EvidentClient({
    url: s.url,
    key: s.key,
    flushIntervalMs: 1,
    fetch: async (url, init) => {
      await gate;
      return fetch(url, init);
    },
  });
  return { client, open };
}

type Rec = Record<string, unknown> & {
  actor: { id: string; ip?: string };
  target?: { type: string; id: string; sensitivity?: string };
  request: { status?: number; method: string; path: string; id?: string };
};

describe('Express middleware', () => {
  let s: ListeningServer;
  before(async () => {
    s = await listeningServer('express-app');
  });
  after(async () => {
    await s.close();
  });

  it('records who accessed what, with outcome, IP, request and trace ids, without blocking', async () => {
    const { client, open } = gatedClient(s);
    const app = express();
    app.use(
      evidentAudit({
        client,
        principal: (req) =>
          req.headers['x-user'] ? { id: String(req.headers['x-user']), type: 'user' } : undefined,
        routes: {
          'GET /healthz': false,
          '/customers/:id': { sensitivity: 'restricted' },
          'POST /customers/:id/export': { action: 'customer.export', category: 'data' },
        },
      }),
    );
    app.get('/healthz', (_req, res) => {
      res.send('ok');
    });
    app.get('/customers/:id', (req, res) => {
      if (req.params.id === 'secret') res.status(403).send('no');
      else res.json({ id: req.params.id });
    });
    app.post('/customers/:id/export', (_req, res) => {
      res.status(500).send('boom');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const h = { 'x-user': 'u-42', traceparent: TRACEPARENT, 'x-request-id': 'req-1' };
      // Every answer arrives while the client cannot send anything yet.
      assert.equal((await fetch(`${base}/customers/c-9?x=1`, { headers: h })).status, 200);
      assert.equal((await fetch(`${base}/customers/secret`, { headers: h })).status, 403);
      assert.equal((await fetch(`${base}/customers/c-1/export`, { method: 'POST' })).status, 500);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await s.stored()).length, 0);
      open();
      await client.close();
    } finally {
      server.close();
    }
    const records = (await s.stored()).map((e) => e.record as Rec);
    assert.equal(records.length, 3, 'healthz is configured out');
    const [read, denied, exported] = records as [Rec, Rec, Rec];
    assert.equal(read.action, 'customers.read');
    assert.equal(read.outcome, 'success');
    assert.deepEqual(read.actor, { id: 'u-42', type: 'user', ip: '127.0.0.1' });
    assert.deepEqual(read.target, { type: 'customers', id: 'c-9', sensitivity: 'restricted' });
    assert.deepEqual(read.request, {
      id: 'req-1',
      method: 'GET',
      path: '/customers/c-9',
      status: 200,
    });
    assert.equal(read.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(denied.outcome, 'denied');
    assert.equal(exported.action, 'customer.export');
    assert.equal(exported.category, 'data');
    assert.equal(exported.outcome, 'failure');
    assert.deepEqual(exported.actor, { id: 'anonymous', type: 'anonymous', ip: '127.0.0.1' });
  });
});

describe('Fastify hook', () => {
  let s: ListeningServer;
  before(async () => {
    s = await listeningServer('fastify-app');
  });
  after(async () => {
    await s.close();
  });

  it('records requests, per-route config included, without blocking them', async () => {
    const { client, open } = gatedClient(s);
    const app = Fastify();
    registerEvidentAudit(app, {
      client,
      principal: (req) => (req.headers.authorization ? 'svc-billing' : undefined),
    });
    app.get('/api/v1/invoices/:invoiceId', async (req) => req.params);
    app.delete(
      '/api/v1/invoices/:invoiceId',
      { config: { evident: { action: 'invoice.void' } } },
      async (_req, reply) => reply.status(204).send(),
    );
    app.get('/metrics', { config: { evident: false } }, async () => 'ok');
    try {
      const h = { authorization: 'Bearer x', traceparent: TRACEPARENT };
      assert.equal(
        (await app.inject({ url: '/api/v1/invoices/inv-7', headers: h })).statusCode,
        200,
      );
      assert.equal(
        (await app.inject({ method: 'DELETE', url: '/api/v1/invoices/inv-8', headers: h }))
          .statusCode,
        204,
      );
      assert.equal((await app.inject({ url: '/metrics' })).statusCode, 200);
      assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 404);
      assert.equal((await s.stored()).length, 0);
      open();
      await client.close();
    } finally {
      await app.close();
    }
    const records = (await s.stored()).map((e) => e.record as Rec);
    assert.deepEqual(
      records.map((r) => [r.action, r.outcome, r.target?.id, r.request.status]),
      [
        ['invoices.read', 'success', 'inv-7', 200],
        ['invoice.void', 'success', 'inv-8', 204],
        ['http.read', 'failure', undefined, 404],
      ],
    );
    assert.equal(records[0]!.actor.id, 'svc-billing');
    assert.equal(records[0]!.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.ok(records[0]!.request.id, 'Fastify request id');
  });
});

describe('traceparent', () => {
  it('takes the trace id of a valid W3C traceparent only', () => {
    assert.equal(traceIdOf(TRACEPARENT), '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), undefined);
    assert.equal(traceIdOf('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), undefined);
    assert.equal(traceIdOf('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'), undefined);
    assert.equal(traceIdOf(undefined), undefined);
    assert.equal(traceIdOf('garbage'), undefined);
  });
});
