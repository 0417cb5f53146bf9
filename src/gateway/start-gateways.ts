import { type Clock, systemClock } from '../util/clock.js';
import type { PostEvents } from './audit/audit-queue.js';
import { type CredentialsOption, openCredentialStore } from './auth/open-credential-store.js';
import type { DatabaseConfig } from './config/gateway-config.js';
import {
  type ListenerSettings,
  type RunningGateway,
  startPostgresGateway,
} from './start-postgres-gateway.js';

export interface RunningDatabase {
  config: DatabaseConfig;
  gateway: RunningGateway;
}

/** What a reload did, for the operator's log. */
export interface ReloadResult {
  started: string[];
  stopping: string[];
  updated: string[];
}

export interface RunningGateways {
  databases: RunningDatabase[];
  /**
   * Applies a re-read configuration: databases on new addresses start listening, removed
   * ones stop accepting new sessions while their live sessions finish, and the others take
   * the new settings (new sessions; redaction and guardrails also for the next statements of
   * live ones). All or nothing: if any database cannot start or its settings are unusable,
   * nothing changes and the error says which.
   */
  reload(databases: readonly DatabaseConfig[]): Promise<ReloadResult>;
  /** Stops every listener (removed ones included) once its events are durable. */
  close(): Promise<void>;
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
}): Promise<RunningGateways> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? ((m: string) => console.error(m));
  const credentials = await openCredentialStore(o.credentials, { url: o.url, clock, log });
  const start = (config: DatabaseConfig) =>
    startPostgresGateway({
      host: config.host,
      port: config.port,
      ...settingsOf(config),
      url: o.url,
      key: o.key,
      credentials: credentials.store,
      clock,
      ...(o.post ? { post: o.post } : {}),
      log: (m) => log(`[${config.name}] ${m}`),
    }).catch((error: Error) => {
      throw new Error(`database ${config.name}: ${error.message}`, { cause: error });
    });
  let running: RunningDatabase[] = [];
  /** Removed by a reload: not accepting, finishing their live sessions and events. */
  const retiring: Promise<void>[] = [];
  const close = async () => {
    credentials.stop();
    await Promise.all([...running.map((d) => d.gateway.close()), ...retiring]);
  };
  try {
    for (const config of o.databases) running.push({ config, gateway: await start(config) });
  } catch (error) {
    await close();
    throw error;
  }
  const reload = async (next: readonly DatabaseConfig[]): Promise<ReloadResult> => {
    const current = new Map(running.map((d) => [identity(d.config), d]));
    const kept: { d: RunningDatabase; config: DatabaseConfig; apply: () => void }[] = [];
    const added: RunningDatabase[] = [];
    try {
      for (const config of next) {
        const d = current.get(identity(config));
        if (d) {
          const apply = await d.gateway.prepare(settingsOf(config)).catch((error: Error) => {
            throw new Error(`database ${config.name}: ${error.message}`, { cause: error });
          });
          kept.push({ d, config, apply });
        } else added.push({ config, gateway: await start(config) });
      }
    } catch (error) {
      await Promise.all(added.map((d) => d.gateway.close()));
      throw error;
    }
    const keep = new Set(kept.map((k) => k.d));
    const removed = running.filter((d) => !keep.has(d));
    for (const d of removed) retiring.push(d.gateway.close());
    for (const k of kept) {
      k.apply();
      k.d.config = k.config;
    }
    running = [...kept.map((k) => k.d), ...added];
    return {
      started: added.map((d) => d.config.name),
      stopping: removed.map((d) => d.config.name),
      updated: kept.map((k) => k.config.name),
    };
  };
  return {
    get databases() {
      return running;
    },
    reload,
    close,
  };
}

/** A listener is known by its address (a port 0 one, which the system picks, by its name). */
function identity(config: DatabaseConfig): string {
  return config.port === 0 ? `${config.name}@${config.host}:0` : `${config.host}:${config.port}`;
}

function settingsOf(config: DatabaseConfig): ListenerSettings {
  return {
    upstream: config.upstream,
    ...(config.upstreamPassword === undefined ? {} : { upstreamPassword: config.upstreamPassword }),
    mode: config.mode,
    redaction: config.redaction,
    guardrails: config.guardrails,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.queueCapacity ? { queueCapacity: config.queueCapacity } : {}),
    ...(config.maxMessageBytes ? { maxMessageBytes: config.maxMessageBytes } : {}),
  };
}
