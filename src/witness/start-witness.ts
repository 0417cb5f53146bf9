/** Opens a witness's data folder (key, state) and serves it on host:port. */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../util/clock.js';
import { DEFAULT_WITNESS_RATE_LIMIT, Witness, type WitnessRateLimit } from './witness.js';
import type { WitnessedLogs } from './witness-config.js';
import { loadOrCreateWitnessKey, type WitnessKey } from './witness-key.js';
import { buildWitnessApp } from './witness-server.js';
import { WitnessState } from './witness-state.js';

export function witnessPaths(dir: string) {
  return { dir, key: join(dir, 'witness.key'), state: join(dir, 'witness.db') };
}

export interface StartWitnessOptions {
  dataDir: string;
  name: string;
  logs: WitnessedLogs;
  host: string;
  port: number;
  clock: Clock;
  rateLimit?: WitnessRateLimit;
}

export interface RunningWitness {
  app: FastifyInstance;
  key: WitnessKey;
  keyCreated: boolean;
  url: string;
  close(): Promise<void>;
}

export async function startWitness(options: StartWitnessOptions): Promise<RunningWitness> {
  const paths = witnessPaths(options.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  const { key, created } = loadOrCreateWitnessKey(paths.key, options.name);
  const state = new WitnessState(paths.state);
  const witness = new Witness({
    key,
    logs: options.logs,
    state,
    clock: options.clock,
    rateLimit: options.rateLimit ?? DEFAULT_WITNESS_RATE_LIMIT,
  });
  const app = buildWitnessApp(witness, key.verifierKey);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    state.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    app,
    key,
    keyCreated: created,
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      state.close();
    },
  };
}
