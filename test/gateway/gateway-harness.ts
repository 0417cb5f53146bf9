import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RedactionPolicy } from '../../src/gateway/audit/redaction.js';
import { createCredential } from '../../src/gateway/auth/credentials-file.js';
import type { AuditMode } from '../../src/gateway/postgres/gateway-deps.js';
import {
  type PostgresGatewayOptions,
  type RunningGateway,
  startPostgresGateway,
} from '../../src/gateway/start-postgres-gateway.js';
import { PG_ENABLED } from '../support/stores.js';
import { type TestServer, testServer } from '../support/test-server.js';

/** The real PostgreSQL the gateway sits in front of; CI=true makes these tests mandatory. */
export const PG_URL = process.env.EVIDENT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const GATEWAY_TESTS = PG_ENABLED;

export interface StoredRecord {
  id: string;
  action: string;
  outcome: string;
  reason?: string;
  actor: { id: string; session?: string; ip?: string };
  target: { type: string; id: string };
  details: Record<string, unknown> & {
    statement?: string;
    rows?: number;
    sqlstate?: string;
    parameters?: (string | null)[];
    statement_fingerprint?: string;
    parameter_count?: number;
    redaction?: string;
  };
}

export interface Harness {
  server: TestServer;
  gateway: RunningGateway;
  port: number;
  /** A fresh schema for this test's tables. */
  schema: string;
  person: string;
  secret: string;
  credentialsFile: string;
  /** A `pg` client connected through the gateway as the person. */
  connect(options?: { password?: string; user?: string }): Promise<Client>;
  /** Waits for the queue, then returns the person's events oldest first. */
  events(filter?: (r: StoredRecord) => boolean): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: AuditMode;
  queueCapacity?: number;
  maxMessageBytes?: number;
  /**
   * `none` unless asked: most tests assert statements and parameters as sent; the redaction
   * tests name a policy, or `default` for the gateway's own default.
   */
  redaction?: RedactionPolicy | 'default';
  /** Another way to the database (default PG_URL), e.g. through a TLS-terminating stand-in. */
  upstream?: string;
  tls?: PostgresGatewayOptions['tls'];
  /** Writes a guardrails YAML file (given the test's schema and a folder) and names it. */
  guardrails?: (schema: string, dir: string) => string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await testServer();
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { authorization } = await server.ingestKey('pg-gateway');
  const credentialsFile = join(server.dir, 'gateway-credentials.json');
  const person = `ada-${randomBytes(3).toString('hex')}`;
  const schema = `gw_${randomBytes(5).toString('hex')}`;
  const { secret } = createCredential(credentialsFile, person, 3600_000, Date.now(), randomBytes);
  const gateway = await startPostgresGateway({
    host: '127.0.0.1',
    port: 0,
    upstream: options.upstream ?? PG_URL,
    url,
    key: authorization.replace(/^Bearer /, ''),
    credentials: credentialsFile,
    mode: options.mode ?? 'observe',
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.guardrails ? { guardrails: options.guardrails(schema, server.dir) } : {}),
    ...(options.redaction === 'default' ? {} : { redaction: options.redaction ?? 'none' }),
    ...(options.queueCapacity ? { queueCapacity: options.queueCapacity } : {}),
    ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    log: () => {},
  });
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const clients: Client[] = [];
  return {
    server,
    gateway,
    port: gateway.port,
    schema,
    person,
    secret,
    credentialsFile,
    connect: async (o = {}) => {
      const client = new Client({
        host: '127.0.0.1',
        port: gateway.port,
        user: o.user ?? person,
        password: o.password ?? secret,
        database: 'test',
      });
      // A session the gateway ends (a test's point) must not become an unhandled 'error' event.
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
    events: async (filter = () => true) => {
      await gateway.audit.drained();
      const records: StoredRecord[] = [];
      let cursor: string | null = null;
      do {
        const res = await server.app.inject({
          method: 'GET',
          url: `/api/v1/events?actor=${encodeURIComponent(person)}&source=pg-gateway&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          headers: server.admin,
        });
        const body = res.json() as {
          entries: { record: StoredRecord }[];
          next_cursor: string | null;
        };
        records.push(...body.entries.map((e) => e.record));
        cursor = body.next_cursor;
      } while (cursor);
      return records.reverse().filter(filter);
    },
    close: async () => {
      for (const c of clients) await c.end().catch(() => {});
      await gateway.close();
      const admin = new Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
      await server.close();
    },
  };
}

/** Only statement events (not session start/end). */
export const statementsOnly = (r: StoredRecord) =>
  r.action !== 'db.connect' && r.action !== 'db.disconnect';
