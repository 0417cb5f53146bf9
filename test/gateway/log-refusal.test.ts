import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { ApiError } from '../../src/client/api-client.js';
import {
  type RunningGateway,
  startPostgresGateway,
} from '../../src/gateway/start-postgres-gateway.js';
import { GATEWAY_TESTS, type Harness, PG_URL, startHarness } from './gateway-harness.js';

const skip = !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set';

type Event = {
  action: string;
  outcome?: string;
  reason?: string;
  details: Record<string, unknown>;
};

describe('gateway when the log refuses events (4xx)', { skip }, () => {
  let h: Harness;
  /** What the stand-in log answers next: undefined stores the batch. */
  let answer: ((events: readonly Event[]) => Error | undefined) | undefined;
  const stored: Event[] = [];
  const logged: string[] = [];
  let gw: RunningGateway;
  before(async () => {
    h = await startHarness();
    gw = await startPostgresGateway({
      host: '127.0.0.1',
      port: 0,
      upstream: PG_URL,
      url: 'http://127.0.0.1:1',
      key: 'unused',
      credentials: h.credentialsFile,
      mode: 'observe',
      redaction: 'none',
      post: async (events) => {
        const error = answer?.(events as Event[]);
        if (error) throw error;
        stored.push(...(events as Event[]));
      },
      log: (m) => logged.push(m),
    });
  });
  after(async () => {
    answer = undefined;
    await gw.close();
    await h.close();
  });
  const connect = async () => {
    const c = new Client({
      host: '127.0.0.1',
      port: gw.port,
      user: h.person,
      password: h.secret,
      database: 'test',
    });
    c.on('error', () => {});
    await c.connect();
    return c;
  };

  it('stores the rest of a batch and a stand-in for the one event the log refused', async () => {
    answer = (events) =>
      events.some((e) => String(e.details.statement ?? '').includes('poison'))
        ? new ApiError(400, 'invalid_record', 'details.statement: not allowed here')
        : undefined;
    const c = await connect();
    await c.query('select 1 as before');
    await c.query("select 'poison' as p");
    await c.query('select 2 as after');
    await c.end();
    await gw.audit.drained();
    const selects = stored.filter((e) => e.action === 'db.select');
    assert.deepEqual(
      selects.map((e) => e.details.statement ?? 'stand-in'),
      ['select 1 as before', 'stand-in', 'select 2 as after'],
    );
    const standIn = selects[1]!;
    assert.equal(standIn.outcome, 'success', 'the statement ran: the stand-in says so');
    assert.match(standIn.reason ?? '', /the log refused this event \(400\)/);
    assert.deepEqual(standIn.details.log_refusal, {
      status: 400,
      message: 'details.statement: not allowed here',
    });
    assert.match(String(standIn.details.statement_sha256), /^[0-9a-f]{64}$/);
    assert.match(String(standIn.details.refused_event_sha256), /^[0-9a-f]{64}$/);
    assert.equal(standIn.details.rows, 1);
    assert.equal(gw.audit.refusal, undefined);
  });

  it('401: ends sessions between statements and refuses new ones with 57P03, then recovers', async () => {
    const c = await connect();
    const seen = stored.length;
    answer = () => new ApiError(401, 'unauthorized', 'the token is revoked');
    // This statement was admitted before the log said no; it runs and its event is held.
    assert.equal((await c.query('select 3 as admitted')).rows[0].admitted, 3);
    while (!gw.audit.refusal) await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(
      c.query('select 4 as refused'),
      (e: { code?: string; message?: string }) => {
        assert.equal(e.code, '57P03');
        assert.match(e.message ?? '', /the audit log refuses its events \(401\)/);
        return true;
      },
    );
    await assert.rejects(connect(), (e: { code?: string }) => e.code === '57P03');
    assert.ok(
      logged.some((m) => m.includes("THE LOG REFUSES THE GATEWAY'S EVENTS (401")),
      'the operator is told loudly',
    );
    assert.equal(stored.length, seen, 'nothing stored while refused');
    // The key is fixed: the held events go in, and statements are admitted again.
    answer = undefined;
    await gw.audit.drained();
    assert.equal(gw.audit.refusal, undefined);
    const later = stored.slice(seen);
    assert.ok(later.some((e) => e.details.statement === 'select 3 as admitted'));
    assert.ok(!later.some((e) => e.details.statement === 'select 4 as refused'), 'never ran');
    assert.ok(
      later.some(
        (e) =>
          e.action === 'db.connect' &&
          e.outcome === 'failure' &&
          /refuses the gateway's events \(401\)/.test(e.reason ?? ''),
      ),
      'the refused connection is an event',
    );
    const again = await connect();
    assert.equal((await again.query('select 5 as five')).rows[0].five, 5);
    await again.end();
  });
});
