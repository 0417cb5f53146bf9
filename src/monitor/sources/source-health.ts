import type { SelfAudit } from '../../log/self-audit.js';
import type { IngestKeyRow, Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { AlertSink, EntryObserver } from '../types.js';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from './settings.js';
import { SilenceCheck, type SilenceReport } from './silence-check.js';
import { SourceObserver } from './source-observer.js';
import { registerKeySource, SourceRegistry } from './source-registry.js';
import { SourceStatsStore } from './stats-store.js';

export interface SourceHealthOptions {
  store: Store;
  sink: AlertSink;
  audit: SelfAudit;
  clock: Clock;
  settings?: Partial<SourceSettings>;
  /** Run the silence check every `checkIntervalMs` (default true; tests call `check`). */
  schedule?: boolean;
  /** Told when a scheduled check fails (it is retried at the next interval). */
  onError?: (error: unknown) => void;
}

export interface SourceHealth {
  /** Hand to the rule engine: it sees every committed entry once, in order. */
  observer: EntryObserver;
  registry: SourceRegistry;
  settings: SourceSettings;
  /** For ServerDeps.onIngestKeyCreated and `evident keys create`: registers the key's source. */
  onIngestKeyCreated(key: IngestKeyRow): Promise<void>;
  /** One silence check now (the timer calls this too). */
  check(): Promise<SilenceReport>;
  /** Stops the timer and waits for a running check. */
  stop(): Promise<void>;
}

/**
 * Source coverage and clock skew: per-source statistics fed by the
 * engine, a registry of expected sources, and a periodic check that raises a "source silent"
 * alert once per silence.
 */
export function startSourceHealth(options: SourceHealthOptions): SourceHealth {
  const settings: SourceSettings = { ...DEFAULT_SOURCE_SETTINGS, ...options.settings };
  const registry = new SourceRegistry(options.store);
  const stats = new SourceStatsStore(options.store);
  const observer = new SourceObserver({
    registry,
    stats,
    sink: options.sink,
    audit: options.audit,
    clock: options.clock,
    maxClockSkewMs: settings.maxClockSkewMs,
  });
  const silence = new SilenceCheck({
    store: options.store,
    registry,
    stats,
    sink: options.sink,
    audit: options.audit,
    defaultMaxSilenceMs: settings.defaultMaxSilenceMs,
  });

  let running: Promise<SilenceReport> | undefined;
  const check = (): Promise<SilenceReport> => {
    // One check at a time: a slow store must not pile checks up.
    running ??= silence.run(options.clock.now()).finally(() => {
      running = undefined;
    });
    return running;
  };
  const onError = options.onError ?? ((error) => console.error('source health check:', error));
  const timer =
    options.schedule === false
      ? undefined
      : setInterval(() => void check().catch(onError), settings.checkIntervalMs);
  timer?.unref();

  return {
    observer,
    registry,
    settings,
    onIngestKeyCreated: (key) => registerKeySource(options.store, key),
    check,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
