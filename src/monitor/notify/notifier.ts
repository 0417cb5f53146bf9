import type { Store } from '../../store/store.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../../util/ids.js';
import type { SecretBox } from '../../util/secret-box.js';
import type { AlertView } from '../types.js';
import { ALERT_SEVERITIES, type AlertSeverity } from '../types.js';
import { type AlertLinkBuilder, alertJson, apiLinks } from './alert-view.js';
import { DeliveryQueue } from './queue.js';
import type { Sender } from './send.js';
import type { Channel, NotificationSettings } from './settings.js';
import { NotificationSettingsStore } from './settings-store.js';
import { DeliveryWorker, type Pass } from './worker.js';

export interface NotifierOptions {
  store: Store;
  clock?: Clock;
  /** Links in payloads; default: under the settings' `public_url`. */
  links?: AlertLinkBuilder;
  ids?: IdGenerator;
  random?: () => number;
  /** Opens the sealed webhook secrets and SMTP passwords (the data folder's secrets.key). */
  secrets: SecretBox;
  /** How often the queue is looked at when nothing wakes the worker (other processes' work). */
  pollIntervalMs?: number;
  channelConcurrency?: number;
  /** Start the sending loop (default). Tests drive `runOnce()` by hand instead. */
  autoStart?: boolean;
  owner?: string;
  send?: Sender;
  onError?: (error: unknown) => void;
}

export interface Notifier {
  /**
   * Queues one delivery per channel that wants this alert, and returns their ids. Only
   * state writes happen here; receivers are contacted by the sending loop, so a failing or
   * hanging receiver never slows the engine or ingest.
   */
  onRaised(alert: AlertView): Promise<string[]>;
  /** One pass of the sending loop (tests with an injected clock call it directly). */
  runOnce(): Promise<Pass>;
  /** Stops the loop, aborting attempts in flight (they are retried later, by anyone). */
  stop(): Promise<void>;
}

export const DEFAULT_POLL_INTERVAL_MS = 1000;

export function wantsAlert(channel: Channel, severity: AlertSeverity): boolean {
  return (
    channel.enabled &&
    ALERT_SEVERITIES.indexOf(severity) >= ALERT_SEVERITIES.indexOf(channel.minSeverity)
  );
}

export function linksFor(settings: NotificationSettings): AlertLinkBuilder {
  return apiLinks(settings.publicUrl ?? '');
}

/** Notifications for the integrator: hand `onRaised` to the AlertService. */
export function startNotifier(options: NotifierOptions): Notifier {
  const clock = options.clock ?? systemClock;
  const settingsStore = new NotificationSettingsStore(options.store, options.secrets);
  const readSettings = async () => (await settingsStore.read()).settings;
  const queue = new DeliveryQueue(options.store, options.ids ?? ulidGenerator());
  const worker = new DeliveryWorker({
    queue,
    settings: readSettings,
    clock,
    ...(options.random ? { random: options.random } : {}),
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.channelConcurrency ? { channelConcurrency: options.channelConcurrency } : {}),
    ...(options.send ? { send: options.send } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  // One pass at a time; a wake during a pass runs another right after it.
  const loop = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = (async () => {
      let nextDue: number | undefined;
      try {
        nextDue = (await worker.runOnce()).nextDueAtMs;
      } catch (error) {
        options.onError?.(error);
      }
      running = undefined;
      if (stopped) return;
      if (again) {
        again = false;
        setImmediate(loop);
        return;
      }
      const untilDue = nextDue === undefined ? pollMs : Math.max(0, nextDue - clock.now());
      timer = setTimeout(loop, Math.min(pollMs, untilDue));
      timer.unref();
    })();
  };
  if (options.autoStart ?? true) setImmediate(loop);

  return {
    async onRaised(alert) {
      const settings = await readSettings();
      const links = (options.links ?? linksFor(settings))(alert);
      const message = { event: 'alert.raised' as const, alert: alertJson(alert), links };
      const now = clock.now();
      const ids = await Promise.all(
        settings.channels
          .filter((c) => wantsAlert(c, alert.severity))
          .map((c) => queue.enqueue(c.id, message, now)),
      );
      if (ids.length > 0 && (options.autoStart ?? true)) setImmediate(loop);
      return ids;
    },
    runOnce: () => worker.runOnce(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await worker.stop();
      await running;
    },
  };
}
