import type { SelfAudit } from '../../log/self-audit.js';
import type { Clock } from '../../util/clock.js';
import type { AlertSink, EntryObserver, EntryStamp, NewAlert } from '../types.js';
import { formatDuration } from './duration.js';
import { recordOnce } from './event-once.js';
import { HOUR_MS } from './rate-buckets.js';
import type { SourceRegistry } from './source-registry.js';
import { type AppliedEntries, applyEntries } from './source-stats.js';
import type { SourceStatsStore } from './stats-store.js';

/** Alert rule ids of source health (alerts and rules name them; docs/api.md lists them). */
export const CLOCK_SKEW_RULE = 'source.clock_skew';
export const SILENT_RULE = 'source.silent';
/** Who the monitor's own log events name as actor. */
export const MONITOR_ACTOR = { kind: 'system', id: 'source-health' } as const;
/** At most this many triggering seqs are listed on one skew alert. */
const MAX_ALERT_SEQS = 100;

export interface SourceObserverDeps {
  registry: SourceRegistry;
  stats: SourceStatsStore;
  sink: AlertSink;
  audit: SelfAudit;
  clock: Clock;
  maxClockSkewMs: number;
}

/**
 * Per-source statistics from the committed entries the engine hands over (each once, in seq
 * order). Durable before `observe` resolves, so the engine's position never passes an entry
 * whose counts are not stored; a replay after a crash is recognised by seq and not counted
 * twice. Also registers sources on first sight, raises clock-skew alerts and records the end
 * of a silence (`source.recovered`).
 */
export class SourceObserver implements EntryObserver {
  constructor(private readonly deps: SourceObserverDeps) {}

  async observe(entries: readonly EntryStamp[]): Promise<void> {
    const bySource = new Map<string, EntryStamp[]>();
    for (const e of entries) {
      const list = bySource.get(e.source);
      if (list) list.push(e);
      else bySource.set(e.source, [e]);
    }
    for (const [source, list] of bySource) await this.observeSource(source, list);
  }

  private async observeSource(source: string, entries: EntryStamp[]): Promise<void> {
    const { stats, clock, maxClockSkewMs } = this.deps;
    const now = clock.now();
    await stats.change<AppliedEntries>(
      source,
      async (current, exists) => {
        if (!exists) await this.deps.registry.ensure(source, 'seen', MONITOR_ACTOR.id, now);
        const result = applyEntries(current, entries, maxClockSkewMs);
        if (result.fresh.length === 0) return undefined;
        // Before the write, and idempotent (alerts by key, events by id): a crash between
        // the two repeats nothing on replay, while the other order could lose them.
        for (const { hour, entries: skewed } of result.skewAlerts) {
          await this.deps.sink.raise(skewAlert(source, hour, skewed, maxClockSkewMs));
        }
        if (result.recovered) await this.recordRecovery(source, result);
        return { next: result.stats, result };
      },
      now,
    );
  }

  private async recordRecovery(source: string, applied: AppliedEntries): Promise<void> {
    const silence = applied.recovered!;
    const first = applied.fresh.find((e) => e.receivedAtMs > silence.sinceMs)!;
    await recordOnce(this.deps.audit, `source.recovered:${source}:${silence.sinceMs}`, {
      principal: MONITOR_ACTOR,
      action: 'source.recovered',
      category: 'audit',
      target: { type: 'source', id: source },
      details: {
        silent_since: new Date(silence.sinceMs).toISOString(),
        silent_for_ms: first.receivedAtMs - silence.sinceMs,
        first_seq: first.seq,
        alert_id: silence.alertId,
      },
    });
  }
}

function skewAlert(
  source: string,
  hour: number,
  entries: EntryStamp[],
  maxSkewMs: number,
): NewAlert {
  const skews = entries.map((e) => e.receivedAtMs - e.timeMs);
  const worst = skews.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
  const direction = worst > 0 ? 'behind' : 'ahead of';
  return {
    key: `${CLOCK_SKEW_RULE}:${source}:${hour}`,
    ruleId: CLOCK_SKEW_RULE,
    title: `Clock skew on source ${source}`,
    description:
      `${entries.length} event(s) from ${source} carry a time more than ${formatDuration(maxSkewMs)} off the server's clock ` +
      `(worst: ${formatDuration(Math.abs(worst))} ${direction} it) in the hour from ${new Date(hour * HOUR_MS).toISOString()}. ` +
      'Check the source host clock synchronisation (ISO 27001 A.8.17).',
    severity: 'medium',
    seqs: entries.slice(0, MAX_ALERT_SEQS).map((e) => e.seq),
    sources: [source],
    triggeredAtMs: entries[entries.length - 1]!.receivedAtMs,
  };
}
