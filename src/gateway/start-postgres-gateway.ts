import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import { type Clock, systemClock } from '../util/clock.js';
import { ulidGenerator } from '../util/ids.js';
import { AuditQueue, type PostEvents } from './audit/audit-queue.js';
import { httpEventPoster } from './audit/http-event-poster.js';
import type { RedactionPolicy } from './audit/redaction.js';
import { type CredentialsOption, openCredentialStore } from './auth/open-credential-store.js';
import { type GuardrailRule, loadGuardrails } from './guardrails/guardrail-rules.js';
import { CancelRegistry } from './postgres/cancel-registry.js';
import type { AuditMode } from './postgres/gateway-deps.js';
import { startGateway } from './postgres/gateway-server.js';
import { DEFAULT_MAX_CLIENT_MESSAGE_BYTES } from './postgres/protocol.js';
import { StatementClassifier } from './postgres/statement-classifier.js';
import { parseUpstreamUrl } from './postgres/upstream-target.js';

export interface PostgresGatewayOptions {
  host: string;
  port: number;
  /** postgres://service-role[:password]@host:port/database[?sslmode=verify-full&sslrootcert=F] */
  upstream: string;
  /** TLS for clients: PEM files of the gateway's certificate (chain) and key. */
  tls?: { certFile: string; keyFile: string; require?: boolean };
  /** The Evident server and an ingest key for the gateway's source. */
  url: string;
  key: string;
  /**
   * A credentials file, a store, or `{ syncToken }`: credentials and policy from the Evident
   * server at `url`, fetched with a token of a service holding the `gateway` role.
   */
  credentials: CredentialsOption;
  /** The upstream role's password, over the URL's and PGPASSWORD. */
  upstreamPassword?: string;
  mode: AuditMode;
  /** What of statements' values reaches the log (default `literals`: no values). */
  redaction?: RedactionPolicy;
  /** Guardrails: a YAML file (`rules:`) or the rules themselves. */
  guardrails?: string | GuardrailRule[];
  queueCapacity?: number;
  batchSize?: number;
  maxMessageBytes?: number;
  clock?: Clock;
  /** Replaces the HTTP poster (tests). */
  post?: PostEvents;
  log?: (message: string) => void;
}

export interface RunningGateway {
  server: Server;
  port: number;
  audit: AuditQueue;
  /** Stops accepting, then waits until every event is durable. */
  close(): Promise<void>;
}

export async function startPostgresGateway(o: PostgresGatewayOptions): Promise<RunningGateway> {
  const upstream = parseUpstreamUrl(o.upstream);
  if (o.upstreamPassword !== undefined) upstream.password = o.upstreamPassword;
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const audit = new AuditQueue({
    post: o.post ?? httpEventPoster(o.url, o.key),
    capacity: o.queueCapacity ?? 10_000,
    maxBatch: o.batchSize ?? 1000,
    onRetry: (error, attempt) =>
      log(
        `evident gateway: appending events failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
      ),
  });
  const redaction = o.redaction ?? 'literals';
  const tls = o.tls && {
    context: createSecureContext({
      cert: readFileSync(o.tls.certFile),
      key: readFileSync(o.tls.keyFile),
      minVersion: 'TLSv1.2',
    }),
    require: o.tls.require ?? false,
  };
  const { store: credentials, stop: stopPolling } = await openCredentialStore(o.credentials, {
    url: o.url,
    clock,
    log,
  });
  const ids = ulidGenerator();
  const sessionIds = ulidGenerator();
  const server = await startGateway(
    {
      upstream,
      credentials,
      audit,
      mode: o.mode,
      redaction,
      guardrails:
        typeof o.guardrails === 'string' ? loadGuardrails(o.guardrails) : (o.guardrails ?? []),
      classifier: await StatementClassifier.load({ redaction }),
      cancels: new CancelRegistry(randomBytes),
      clock,
      newEventId: () => ids(clock.now()),
      newSessionId: () => sessionIds(clock.now()),
      random: randomBytes,
      maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_CLIENT_MESSAGE_BYTES,
      ...(tls ? { tls } : {}),
      log,
    },
    { host: o.host, port: o.port },
  );
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : o.port,
    audit,
    close: async () => {
      stopPolling();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await audit.drained();
    },
  };
}
