import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { loadAdminToken } from '../access/authentication/admin-token.js';
import { createSignIn, type SignInOptions } from '../access/sign-in/sign-in.js';
import { MappingRegistry, parseMappingsFile } from '../connect/mapping/registry.js';
import type { RunningListener } from '../connect/syslog/listener.js';
import { type SyslogOptions, startSyslogListeners } from '../connect/syslog/start-listeners.js';
import { formatVerifierKey } from '../core/note.js';
import type { PolicyWitness } from '../core/witness-policy.js';
import { dataPaths } from '../data-folder.js';
import { type OpenLog, openLog } from '../log/open-log.js';
import { SelfAudit } from '../log/self-audit.js';
import { SELF_SOURCE } from '../log/self-source.js';
import { witnessRefusedAlert } from '../log/witness-alert.js';
import { WitnessSubmitter } from '../log/witness-submitter.js';
import { WitnessedAck } from '../log/witnessed-ack.js';
import { ClockSyncProbe } from '../monitor/clock/clock-sync.js';
import { ClockSyncRecorder } from '../monitor/clock/clock-sync-recorder.js';
import { applyNotificationsFile } from '../monitor/notify/apply-file.js';
import { type Notifier, startNotifier } from '../monitor/notify/notifier.js';
import { NotificationSettingsService } from '../monitor/notify/settings-service.js';
import { sourceSettingsFromEnv } from '../monitor/sources/settings.js';
import { type SourceHealth, startSourceHealth } from '../monitor/sources/source-health.js';
import { type RunningMonitor, startMonitor } from '../monitor/start-monitor.js';
import { archiveHookFromEnv } from '../retention/archive/archive-from-env.js';
import type { BeforePurge } from '../retention/purge-runner.js';
import { PurgeScheduler } from '../retention/purge-scheduler.js';
import { reapplyRecordedPurges } from '../retention/reapply-purges.js';
import { ReviewSchedule, startReviewSchedule } from '../review/review-schedule.js';
import type { Clock } from '../util/clock.js';
import { ulidGenerator } from '../util/ids.js';
import { loadOrCreateSecretBox } from '../util/secret-box.js';
import { buildApp } from './app.js';
import { alertService } from './context.js';

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
  /** Notification channels as code (`--notifications FILE`), applied at start. */
  notificationsFile?: string;
  /** False: the bootstrap admin token is refused (`--no-bootstrap-token`). */
  bootstrapToken?: boolean;
  /** Named shipper mappings file (`--mappings`, docs/connect.md). */
  mappingsFile?: string;
  /** Syslog listeners (`--syslog`, docs/connect.md). */
  syslog?: SyslogOptions;
  /** Witnesses to submit checkpoints to (`--witness-policy FILE`, those with a URL). */
  witnesses?: readonly (PolicyWitness & { url: string })[];
  /**
   * Ingest acks wait until `quorum` of `witnesses` cosigned a checkpoint covering them, at
   * most `timeoutMs` (`--witnessed-ack`); absent: acks do not wait (witnessing is async).
   */
  witnessedAck?: { quorum: number; timeoutMs: number };
}

export interface RunningServer {
  app: FastifyInstance;
  log: OpenLog;
  url: string;
  /** The admin token, only when this start generated it (print it once). */
  generatedAdminToken?: string;
  monitor?: RunningMonitor;
  /** Whether the bootstrap admin token is accepted. */
  bootstrapToken: boolean;
  /** Webhook secrets the notifications file left to be generated, by channel: print once. */
  generatedWebhookSecrets: Record<string, string>;
  /** The syslog listeners, bound (in `--syslog` order). */
  syslog: RunningListener[];
  close(): Promise<void>;
}

/** EVIDENT_RETENTION_INTERVAL_SECONDS: between purge runs (default one hour). */
function retentionIntervalMs(): number {
  const text = process.env.EVIDENT_RETENTION_INTERVAL_SECONDS;
  const seconds = text === undefined ? 3600 : Number(text);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(
      `EVIDENT_RETENTION_INTERVAL_SECONDS must be a whole number of seconds ≥ 1, not ${text}`,
    );
  }
  return seconds * 1000;
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
  let notifier: Notifier | undefined;
  let health: SourceHealth | undefined;
  let witnessing: WitnessSubmitter | undefined;
  let reviewSchedule: { stop(): Promise<void> } | undefined;
  let clockRecorder: ClockSyncRecorder | undefined;
  let purging: PurgeScheduler | undefined;
  const stopMonitoring = async () => {
    await purging?.stop();
    await witnessing?.close();
    await reviewSchedule?.stop();
    await monitor?.stop();
    await health?.stop();
    await notifier?.stop();
    clockRecorder?.stop();
  };
  try {
    const adminToken =
      options.bootstrapToken === false
        ? undefined
        : loadAdminToken(dataPaths(options.dataDir).adminToken, options.adminTokenFromEnv);
    const signIn = createSignIn(log.store, options.signIn);
    // Webhook and SMTP secrets are sealed with the data folder's secrets.key; ones an older
    // version stored in clear are sealed now.
    const secrets = loadOrCreateSecretBox(dataPaths(options.dataDir).secretsKey);
    const audit = new SelfAudit(log.sequencer, log.origin, log.clock);
    const notificationSettings = new NotificationSettingsService({
      db: log.store,
      secrets,
      audit,
      clock: log.clock,
      ids: ulidGenerator(),
    });
    await notificationSettings.store.sealStoredSecrets(log.clock.now());
    const report = (part: string) => (error: unknown) =>
      console.error(`${part}: ${(error as Error).message}`);
    // The log is the authority on what was purged: a database restored from a backup taken
    // before a purge gets those payloads removed again before anyone can read them.
    const reapplied = await reapplyRecordedPurges(log.store, log.clock);
    if (reapplied.purged > 0) {
      console.log(
        `retention: re-applied ${reapplied.events} recorded purge event(s); ${reapplied.purged} payload(s) a restored backup had brought back were removed again`,
      );
      await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge_reapply',
        details: { purged: reapplied.purged, events: reapplied.events },
      });
    }
    purging = new PurgeScheduler({
      store: log.store,
      audit,
      clock: log.clock,
      intervalMs: retentionIntervalMs(),
      // Policies with `archive: true` write their payloads to EVIDENT_ARCHIVE_TARGET (a
      // directory or s3://bucket/prefix, docs/archive.md) before anything is purged; a bad
      // target stops the server here rather than at the first purge.
      ...optionalBeforePurge(
        archiveHookFromEnv(process.env, { store: log.store, origin: log.origin, clock: log.clock }),
      ),
      onPurged: (count) => console.log(`retention: purged ${count} payload(s) past their policy`),
      onError: report('retention'),
    });
    purging.start();
    let generatedWebhookSecrets: Record<string, string> = {};
    if (options.notificationsFile) {
      ({ generated: generatedWebhookSecrets } = await applyNotificationsFile(
        options.notificationsFile,
        notificationSettings,
      ));
    }
    // Monitoring: rules raise alerts; each new alert is queued for the notification
    // channels; source health sees every entry through the engine and checks for silence.
    const queue = startNotifier({
      store: log.store,
      secrets,
      clock: log.clock,
      onError: report('notify'),
    });
    notifier = queue;
    const alerts = alertService({
      store: log.store,
      audit,
      clock: log.clock,
      onRaised: (alert) => queue.onRaised(alert),
      onError: report('alerts'),
    });
    health = startSourceHealth({
      store: log.store,
      sink: alerts,
      audit,
      clock: log.clock,
      settings: sourceSettingsFromEnv(),
      schedule: options.monitor !== false,
      onError: report('sources'),
    });
    if (options.monitor !== false) {
      monitor = await startMonitor({
        store: log.store,
        sequencer: log.sequencer,
        sink: alerts,
        observers: [health.observer],
        clock: log.clock,
        audit,
        lateAfterMs: health.settings.lateAfterMs,
        ...(options.rulesFile ? { rulesFile: options.rulesFile } : {}),
        onError: report('monitor'),
      });
      // Review occurrences and their overdue alerts: every process runs it; the database's
      // unique (definition, period) and the alert keys make each happen once.
      reviewSchedule = startReviewSchedule(
        new ReviewSchedule({
          store: log.store,
          audit,
          alerts,
          clock: log.clock,
          ids: ulidGenerator(),
        }),
        { onError: report('reviews') },
      );
    }
    const mappings = options.mappingsFile
      ? parseMappingsFile(readFileSync(options.mappingsFile, 'utf8'), options.mappingsFile)
      : new MappingRegistry();
    // Before the routes: a witnessed ack waits on this submitter's cosignatures.
    let witnessedAck: WitnessedAck | undefined;
    if (options.witnesses && options.witnesses.length > 0) {
      const ackOptions = options.witnessedAck;
      if (ackOptions) {
        witnessedAck = new WitnessedAck({
          ...ackOptions,
          kick: () => witnessing?.kick(),
        });
      }
      witnessing = new WitnessSubmitter({
        store: log.store,
        ...(witnessedAck
          ? {
              onCosigned: (c) => witnessedAck?.onCosigned(c),
              waiting: () => witnessedAck?.waiting() ?? false,
            }
          : {}),
        witnesses: options.witnesses,
        clock: log.clock,
        onProblem: (problem) => {
          console.error(`witness ${problem.witness}: ${problem.message}`);
          if (!problem.refused) return;
          const alert = witnessRefusedAlert(problem, SELF_SOURCE, log.clock.now());
          alerts.raise(alert).catch(report('witness alert'));
        },
      });
      witnessing.start();
    }
    const app = buildApp(
      {
        mappings,
        store: log.store,
        sequencer: log.sequencer,
        origin: log.origin,
        verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
        adminToken,
        clock: log.clock,
        audit,
        secrets,
        notificationSettings,
        sessions: signIn.sessions,
        signIn,
        alerts,
        sourceSettings: health.settings,
        onIngestKeyCreated: health.onIngestKeyCreated,
        ...(witnessedAck ? { witnessedAck } : {}),
      },
      { logLevel: options.logLevel },
    );
    if (options.monitor !== false) {
      // The clock's sync state goes in the log (coverage reports read it) before the first
      // request is answered, then again whenever it changes.
      clockRecorder = new ClockSyncRecorder({
        source: new ClockSyncProbe({ clock: log.clock }),
        audit,
        clock: log.clock,
        onError: report('clock sync'),
      });
      await clockRecorder.check().catch(report('clock sync'));
      clockRecorder.start();
    }
    const address = await app.listen({ host: options.host, port: options.port });
    let syslog: RunningListener[] = [];
    if (options.syslog && options.syslog.listen.length > 0) {
      try {
        syslog = await startSyslogListeners(options.syslog, {
          store: log.store,
          sequencer: log.sequencer,
          clock: log.clock,
          onError: report('syslog'),
        });
      } catch (error) {
        await app.close();
        throw error;
      }
    }
    return {
      app,
      log,
      url: address,
      ...(adminToken?.generated ? { generatedAdminToken: adminToken.generated } : {}),
      ...(monitor ? { monitor } : {}),
      bootstrapToken: adminToken !== undefined,
      generatedWebhookSecrets,
      syslog,
      close: async () => {
        // Syslog senders first: what they wrote is appended before the log closes.
        await Promise.all(syslog.map((l) => l.close()));
        // Stop accepting, let queued batches commit and answer, then close keep-alive
        // sockets: Fastify closes only those idle at the moment close() starts, and the rest
        // would hold shutdown for the 72 s keep-alive timeout.
        const closing = app.close();
        await log.sequencer.drain();
        await new Promise((resolve) => setTimeout(resolve, 50));
        app.server.closeAllConnections();
        await closing;
        await stopMonitoring();
        await log.close();
      },
    };
  } catch (error) {
    await stopMonitoring();
    await log.close();
    throw error;
  }
}

/** The archive hook as an optional property (exactOptionalPropertyTypes: absent, not undefined). */
function optionalBeforePurge(hook: BeforePurge | undefined): { beforePurge?: BeforePurge } {
  return hook ? { beforePurge: hook } : {};
}
