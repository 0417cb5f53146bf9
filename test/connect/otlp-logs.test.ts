import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLP_MAX_QUEUED_EVENTS } from '../../src/server/routes/ingest-schemas.js';
import { type TestServer, testServer } from '../support/test-server.js';

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('OTLP/HTTP POST /v1/logs', () => {
  let t: TestServer;
  let key: { authorization: string };
  let base: string;

  const records = async () => {
    const head = await t.log.store.head();
    return (
      (await t.log.store.entries(0, head!.size))
        .filter((e) => e.source === 'billing')
        // biome-ignore lint/suspicious/noExplicitAny: stored records are free-form JSON read by path
        .map((e) => JSON.parse(e.record) as Record<string, any>)
    );
  };

  before(async () => {
    t = await testServer();
    key = { authorization: (await t.ingestKey('billing')).authorization };
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => t.close());

  const exporters = [
    [
      'the official JSON exporter, gzip',
      () =>
        new HttpJsonExporter({
          url: `${base}/v1/logs`,
          headers: key,
          compression: CompressionAlgorithm.GZIP,
        }),
    ],
    [
      'the official protobuf exporter',
      () => new ProtoExporter({ url: `${base}/v1/logs`, headers: key }),
    ],
    [
      'the official protobuf exporter, gzip',
      () =>
        new ProtoExporter({
          url: `${base}/v1/logs`,
          headers: key,
          compression: CompressionAlgorithm.GZIP,
        }),
    ],
  ] as const;
  for (const [name, makeExporter] of exporters) {
    it(`${name}: attributes map to the record, the rest is kept in details`, async () => {
      const before = (await records()).length;
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({
          'service.name': 'billing-api',
          'deployment.environment': 'prod',
        }),
        processors: [new SimpleLogRecordProcessor({ exporter: makeExporter() })],
      });
      const logger = provider.getLogger('audit', '1.2.0');
      logger.emit({
        timestamp: Date.parse('2026-11-22T09:14:03.120Z'),
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'customer read',
        attributes: {
          'enduser.id': 'u-123',
          'client.address': '10.0.0.7',
          'evident.action': 'customer.read',
          'evident.outcome': 'success',
          'evident.target.type': 'customer',
          'evident.target.id': 'c-9',
          'http.route': '/customers/:id',
          'retry.count': 2,
          ratio: 0.5,
        },
      });
      // No actor attribute: the service is the actor; an ERROR severity; no action: otel.log.
      logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'payment gateway timeout' });
      // Rejected: an outcome outside the list.
      logger.emit({
        body: 'x',
        attributes: { 'evident.action': 'customer.read', 'evident.outcome': 'maybe' },
      });
      await provider.forceFlush();
      await until(async () => (await records()).length >= before + 2, 'two records');
      await provider.shutdown();
      const got = (await records()).slice(before);
      assert.equal(got.length, 2, 'the rejected record is not stored');
      const [read, error] = got.sort((a, b) => (a.action < b.action ? -1 : 1));
      assert.equal(read!.time, '2026-11-22T09:14:03.120Z');
      assert.deepEqual(read!.actor, { id: 'u-123', type: 'user', ip: '10.0.0.7' });
      assert.equal(read!.action, 'customer.read');
      assert.equal(read!.outcome, 'success');
      assert.deepEqual(read!.target, { type: 'customer', id: 'c-9' });
      assert.equal(read!.details.body, 'customer read');
      assert.equal(read!.details.scope, 'audit@1.2.0');
      assert.deepEqual(read!.details.attributes, {
        'http.route': '/customers/:id',
        'retry.count': 2,
        ratio: '0.5',
      });
      assert.equal(read!.details.resource['service.name'], 'billing-api');
      assert.equal(error!.action, 'otel.log');
      assert.deepEqual(error!.actor, { id: 'billing-api', type: 'service' });
      assert.equal(error!.severity, 'medium');
      assert.equal(error!.outcome, 'unknown');
    });
  }

  const body = (logRecords: unknown[]) =>
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [{ logRecords }],
        },
      ],
    });

  it('partialSuccess counts and explains rejected records (JSON)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { ...key, 'content-type': 'application/json' },
      payload: body([
        {
          timeUnixNano: '1795338843120000000',
          body: { stringValue: 'ok' },
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
        },
        {
          body: { stringValue: 'bad' },
          attributes: [{ key: 'evident.action', value: { stringValue: 'NOT AN ACTION' } }],
        },
      ]),
    });
    assert.equal(res.statusCode, 200, res.body);
    const partial = res.json().partialSuccess;
    assert.equal(partial.rejectedLogRecords, '1');
    assert.match(partial.errorMessage, /log record 1: .*action/);
    const last = (await records()).at(-1)!;
    assert.equal(last.trace_id, '5b8efff798038103d269b633813fc60c');
    assert.equal(last.details.span_id, 'eee19b7ec3c1b174');
    assert.equal(last.time, '2026-11-22T09:14:03.120Z');
  });

  it('gzip JSON by hand, and a body that is not OTLP is a 400 naming the field', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { ...key, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(body([{ body: { stringValue: 'zipped' } }])),
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), {});
    for (const [payload, status, why, headers] of [
      ['{"resourceLogs": 3}', 400, /resourceLogs: must be a list/, {}],
      [body([{ traceId: 'xyz' }]), 400, /traceId/, {}],
      ['{"resourceLogs": [', 400, /not JSON/, {}],
      ['plain', 400, /gzip/, { 'content-encoding': 'gzip' }],
      ['{}', 415, /br/, { 'content-encoding': 'br' }],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { ...key, 'content-type': 'application/json', ...headers },
        payload,
      });
      assert.equal(res.statusCode, status, res.body);
      assert.match(res.json().error.message, why);
    }
    const proto = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { ...key, 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([0x0a, 0xff, 0xff]),
    });
    assert.equal(proto.statusCode, 400);
    assert.match(proto.json().error.message, /ExportLogsServiceRequest/);
  });

  it('only ingest keys append; without a key 401', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(res.statusCode, 401);
  });

  it('429 with Retry-After while the append queue is over its bound, 503 when the store fails', async () => {
    const sequencer = t.log.sequencer as unknown as { queuedEvents: number };
    const descriptor = Object.getOwnPropertyDescriptor(
      Object.getPrototypeOf(sequencer),
      'queuedEvents',
    )!;
    Object.defineProperty(sequencer, 'queuedEvents', {
      get: () => OTLP_MAX_QUEUED_EVENTS + 1,
      configurable: true,
    });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { ...key, 'content-type': 'application/json' },
        payload: body([{}]),
      });
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.json().error.code, 'too_many_requests');
    } finally {
      Object.defineProperty(sequencer, 'queuedEvents', descriptor);
      delete (sequencer as { queuedEvents?: number }).queuedEvents;
    }
    const s = t.log.sequencer as unknown as { append: (...a: unknown[]) => Promise<unknown> };
    const append = s.append;
    s.append = () => Promise.reject(new Error('disk full'));
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { ...key, 'content-type': 'application/json' },
        payload: body([{}]),
      });
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.json().error.code, 'unavailable');
    } finally {
      s.append = append;
    }
  });
});
