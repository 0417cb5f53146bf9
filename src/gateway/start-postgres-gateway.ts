import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import { type Clock, systemClock } from '../util/clock.js';
import { ulidGenerator } from '../util/ids.js';
import { AuditQueue, type PostEvents } from './audit/audit-queue.js';
import { httpEventPoster } from './audit/http-event-poster.js';
import type { RedactionPolicy } from './audit/redaction.js';
import { refusedEventStandIn } from './audit/refused-event.js';
import { type CredentialsOption, openCredentialStore } from './auth/open-credential-store.js';
import { type GuardrailRule, loadGuardrails } from './guardrails/guardrail-rules.js';
import { CancelRegistry } from './postgres/cancel-registry.js';
import type { AuditMode, GatewayDeps, StatementPolicy } from './postgres/gateway-deps.js';
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
  /**
   * Checks new settings for this listener (its address stays): TLS files, upstream URL,
   * rules. The function it resolves to applies them: to sessions that connect from then on,
   * and (redaction and guardrails) to the next statements of live sessions. Throws, applying
   * nothing, when the settings are unusable.
   */
  prepare(next: ListenerSettings): Promise<() => void>;
  /** Stops accepting, lets live sessions finish, then waits until every event is durable. */
  close(): Promise<void>;
}

/** What a reload may change for a running listener. */
export type ListenerSettings = Pick<
  PostgresGatewayOptions,
  | 'upstream'
  | 'upstreamPassword'
  | 'tls'
  | 'mode'
  | 'redaction'
  | 'guardrails'
  | 'queueCapacity'
  | 'maxMessageBytes'
>;

export async function startPostgresGateway(o: PostgresGatewayOptions): Promise<RunningGateway> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const audit = new AuditQueue({
    post: o.post ?? httpEventPoster(o.url, o.key),
    capacity: o.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
    maxBatch: o.batchSize ?? 1000,
    onRetry: (error, attempt) =>
      log(
        `evident gateway: appending events failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
      ),
    replaceRefused: refusedEventStandIn,
    onRefused: (refusal, attempt) =>
      log(
        `evident gateway: THE LOG REFUSES THE GATEWAY'S EVENTS (${refusal.status}: ${refusal.message}); no new statements are admitted until it takes them; ${audit.length} events held, retrying (attempt ${attempt}). Check the gateway's ingest key (--key) and its source's permissions on the Evident server.`,
      ),
  });
  const { store: credentials, stop: stopPolling } = await openCredentialStore(o.credentials, {
    url: o.url,
    clock,
    log,
  });
  const ids = ulidGenerator();
  const sessionIds = ulidGenerator();
  const shared = {
    credentials,
    audit,
    cancels: new CancelRegistry(randomBytes),
    clock,
    newEventId: () => ids(clock.now()),
    newSessionId: () => sessionIds(clock.now()),
    random: randomBytes,
    log,
  };
  const built = await buildDeps(o);
  const policy = { current: built.policy };
  let deps: GatewayDeps = { ...shared, ...built.deps, policy };
  const server = await startGateway(() => deps, { host: o.host, port: o.port });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : o.port,
    audit,
    prepare: async (next) => {
      const prepared = await buildDeps(next);
      return () => {
        deps = { ...shared, ...prepared.deps, policy };
        policy.current = prepared.policy;
        audit.capacity = next.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
      };
    },
    close: async () => {
      stopPolling();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await audit.drained();
    },
  };
}

const DEFAULT_QUEUE_CAPACITY = 10_000;

/** The per-listener part of the sessions' dependencies, checked before anything uses it. */
async function buildDeps(o: ListenerSettings): Promise<{
  deps: Pick<GatewayDeps, 'upstream' | 'mode' | 'maxMessageBytes' | 'tls'>;
  policy: StatementPolicy;
}> {
  const upstream = parseUpstreamUrl(o.upstream);
  if (o.upstreamPassword !== undefined) upstream.password = o.upstreamPassword;
  const redaction = o.redaction ?? 'literals';
  const tls = o.tls && {
    context: createSecureContext({
      cert: readFileSync(o.tls.certFile),
      key: readFileSync(o.tls.keyFile),
      minVersion: 'TLSv1.2',
    }),
    require: o.tls.require ?? false,
  };
  return {
    deps: {
      upstream,
      mode: o.mode,
      maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_CLIENT_MESSAGE_BYTES,
      ...(tls ? { tls } : {}),
    },
    policy: {
      redaction,
      guardrails:
        typeof o.guardrails === 'string' ? loadGuardrails(o.guardrails) : (o.guardrails ?? []),
      classifier: await StatementClassifier.load({ redaction }),
    },
  };
}
