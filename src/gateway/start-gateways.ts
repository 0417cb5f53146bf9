import { type Clock, systemClock } from '../util/clock.js';
import type { PostEvents } from './audit/audit-queue.js';
import { type CredentialsOption, openCredentialStore } from './auth/open-credential-store.js';
import type { DatabaseConfig } from './config/gateway-config.js';
import { type RunningGateway, startPostgresGateway } from './start-postgres-gateway.js';

export interface RunningDatabase {
  config: DatabaseConfig;
  gateway: RunningGateway;
}

/**
 * One gateway process for several databases (`evident gateway --config`): one listener,
 * audit queue and rule set per database, one credential store (and one server sync) for all.
 * If one database cannot start, the ones already started are closed again.
 */
export async function startGateways(o: {
  databases: readonly DatabaseConfig[];
  url: string;
  key: string;
  credentials: CredentialsOption;
  clock?: Clock;
  post?: PostEvents;
  log?: (message: string) => void;
}): Promise<{ databases: RunningDatabase[]; close(): Promise<void> }> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const credentials = await openCredentialStore(o.credentials, { url: o.url, clock, log });
  const started: RunningDatabase[] = [];
  const close = async () => {
    credentials.stop();
    await Promise.all(started.map((d) => d.gateway.close()));
  };
  try {
    for (const config of o.databases) {
      const gateway = await startPostgresGateway({
        host: config.host,
        port: config.port,
        upstream: config.upstream,
        ...(config.upstreamPassword === undefined
          ? {}
          : { upstreamPassword: config.upstreamPassword }),
        url: o.url,
        key: o.key,
        credentials: credentials.store,
        mode: config.mode,
        redaction: config.redaction,
        guardrails: config.guardrails,
        ...(config.tls ? { tls: config.tls } : {}),
        ...(config.queueCapacity ? { queueCapacity: config.queueCapacity } : {}),
        ...(config.maxMessageBytes ? { maxMessageBytes: config.maxMessageBytes } : {}),
        clock,
        ...(o.post ? { post: o.post } : {}),
        log: (m) => log(`[${config.name}] ${m}`),
      }).catch((error: Error) => {
        throw new Error(`database ${config.name}: ${error.message}`, { cause: error });
      });
      started.push({ config, gateway });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { databases: started, close };
}
