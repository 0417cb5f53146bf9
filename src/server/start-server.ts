import type { FastifyInstance } from 'fastify';
import { loadAdminToken } from '../access/admin-token.js';
import { createSignIn, type SignInOptions } from '../access/sign-in.js';
import { formatVerifierKey } from '../core/note.js';
import { dataPaths } from '../data-folder.js';
import { type OpenLog, openLog } from '../log/open-log.js';
import { SelfAudit } from '../log/self-audit.js';
import { LogOnlyAlertSink, type RunningMonitor, startMonitor } from '../monitor/start-monitor.js';
import type { Clock } from '../util/clock.js';
import { buildApp } from './app.js';

export interface StartOptions {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  origin?: string;
  adminTokenFromEnv?: string;
  logLevel?: string;
  clock?: Clock;
  /** Session timeouts, cookie flags, OpenID Connect; defaults when absent. */
  signIn?: SignInOptions;
  /** Alert rules on top of the built-in pack (`--rules FILE`): its path and text. */
  rulesFile?: { name: string; text: string };
  /** False: no rule engine in this process (`--no-monitor`). */
  monitor?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  log: OpenLog;
  url: string;
  /** The admin token, only when this start generated it (print it once). */
  generatedAdminToken?: string;
  monitor?: RunningMonitor;
  close(): Promise<void>;
}

/** Opens the log in a data folder and serves the API on host:port. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const log = await openLog({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    origin: options.origin,
    clock: options.clock,
  });
  let monitor: RunningMonitor | undefined;
  try {
    const adminToken = loadAdminToken(
      dataPaths(options.dataDir).adminToken,
      options.adminTokenFromEnv,
    );
    const signIn = createSignIn(log.store, options.signIn);
    const audit = new SelfAudit(log.sequencer, log.origin, log.clock);
    if (options.monitor !== false) {
      monitor = await startMonitor({
        store: log.store,
        // Until the alerts module is wired in (src/monitor/alerts/).
        sink: new LogOnlyAlertSink(log.store, audit, log.clock),
        clock: log.clock,
        audit,
        ...(options.rulesFile ? { rulesFile: options.rulesFile } : {}),
        onError: (error) => console.error(`monitor: ${(error as Error).message}`),
      });
    }
    const app = buildApp(
      {
        store: log.store,
        sequencer: log.sequencer,
        origin: log.origin,
        verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
        adminToken,
        clock: log.clock,
        audit,
        sessions: signIn.sessions,
        signIn,
      },
      { logLevel: options.logLevel },
    );
    const address = await app.listen({ host: options.host, port: options.port });
    return {
      app,
      log,
      url: address,
      ...(adminToken.generated ? { generatedAdminToken: adminToken.generated } : {}),
      ...(monitor ? { monitor } : {}),
      close: async () => {
        // Stop accepting, let queued batches commit and answer, then close keep-alive
        // sockets: Fastify closes only those idle at the moment close() starts, and the rest
        // would hold shutdown for the 72 s keep-alive timeout.
        const closing = app.close();
        await log.sequencer.drain();
        await new Promise((resolve) => setTimeout(resolve, 50));
        app.server.closeAllConnections();
        await closing;
        await monitor?.stop();
        await log.close();
      },
    };
  } catch (error) {
    await monitor?.stop();
    await log.close();
    throw error;
  }
}
