import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import { parseRecordTime } from '../../verify/record-time.js';
import type { AlertSink, NewAlert } from '../types.js';
import { formatDuration } from './duration.js';
import { recordOnce } from './event-once.js';
import { type Silence, silenceOf } from './silence.js';
import { MONITOR_ACTOR, SILENT_RULE } from './source-observer.js';
import type { SourceRecord, SourceRegistry } from './source-registry.js';
import type { SourceStats } from './source-stats.js';
import type { SourceStatsStore } from './stats-store.js';

export interface SilenceCheckDeps {
  store: Store;
  registry: SourceRegistry;
  stats: SourceStatsStore;
  sink: AlertSink;
  audit: SelfAudit;
  defaultMaxSilenceMs: number | null;
}

export interface SilenceReport {
  /** Monitored sources looked at. */
  checked: number;
  /** Sources silent at this check. */
  silent: string[];
  /** Sources whose silence alert this check raised (the sink had not seen its key). */
  raised: string[];
}

/**
 * The periodic "is any source too quiet?" check. One alert per silence: its key is the
 * source and the silence's start, the start is marked in the source's statistics, and the
 * sink ignores a key it has seen, so neither repeated checks nor several servers raise twice.
 */
export class SilenceCheck {
  constructor(private readonly deps: SilenceCheckDeps) {}

  async run(nowMs: number): Promise<SilenceReport> {
    const report: SilenceReport = { checked: 0, silent: [], raised: [] };
    const [records, stats] = await Promise.all([this.deps.registry.list(), this.deps.stats.all()]);
    for (const record of records) {
      const silence = silenceOf(
        record,
        stats.get(record.name),
        nowMs,
        this.deps.defaultMaxSilenceMs,
      );
      if (silence.status === 'unmonitored') continue;
      report.checked++;
      if (silence.status !== 'silent') continue;
      const raised = await this.raise(record, nowMs);
      if (raised === undefined) continue;
      report.silent.push(record.name);
      if (raised) report.raised.push(record.name);
    }
    return report;
  }

  /**
   * Marks and raises one silence. Returns undefined when the source is not silent after all
   * (the engine had not yet handed over its newest events), else whether this raised it.
   */
  private async raise(record: SourceRecord, nowMs: number): Promise<boolean | undefined> {
    const name = record.name;
    // The store is the authority on the newest event; the statistics may lag the log.
    const newest = await this.newestEvent(name);
    type Decision = 'not_silent' | 'raised' | { silence: Silence; lastSeq: number | null };
    let decision: Decision = 'not_silent';
    await this.deps.stats.change(
      name,
      async (current) => {
        const basis: SourceStats =
          newest && (current.lastSeq === null || newest.seq > current.lastSeq)
            ? { ...current, lastSeq: newest.seq, lastReceivedAtMs: newest.receivedAtMs }
            : current;
        const silence = silenceOf(record, basis, nowMs, this.deps.defaultMaxSilenceMs);
        if (silence.status !== 'silent') {
          decision = 'not_silent';
          return undefined;
        }
        decision = { silence, lastSeq: basis.lastSeq };
        if (current.silence?.sinceMs === silence.sinceMs) {
          // Marked before; raised too, unless a crash came between marking and raising.
          if (current.silence.alertId !== null) decision = 'raised';
          return undefined;
        }
        const mark = { sinceMs: silence.sinceMs, lastSeq: basis.lastSeq, detectedAtMs: nowMs };
        return { next: { ...current, silence: { ...mark, alertId: null } }, result: undefined };
      },
      nowMs,
    );
    const mark = decision as Decision;
    if (mark === 'not_silent') return undefined;
    if (mark === 'raised') return false;
    const { silence, lastSeq } = mark;
    const alert = silentAlert(name, silence.sinceMs, silence.maxSilenceMs!, lastSeq, nowMs);
    const { id, created } = await this.deps.sink.raise(alert);
    // By id, so a crash before the mark below records it once, not twice.
    await recordOnce(this.deps.audit, `source.silent:${name}:${silence.sinceMs}`, {
      principal: MONITOR_ACTOR,
      action: 'source.silent',
      category: 'audit',
      target: { type: 'source', id: name },
      details: {
        silent_since: new Date(silence.sinceMs).toISOString(),
        max_silence_ms: silence.maxSilenceMs!,
        last_seq: lastSeq,
        alert_id: id,
      },
    });
    await this.deps.stats.change(
      name,
      async (current) =>
        current.silence?.sinceMs === silence.sinceMs && current.silence.alertId === null
          ? { next: { ...current, silence: { ...current.silence, alertId: id } }, result: true }
          : undefined,
      nowMs,
    );
    return created;
  }

  private async newestEvent(
    source: string,
  ): Promise<{ seq: number; receivedAtMs: number } | undefined> {
    const [entry] = await this.deps.store.search({ source, limit: 1 });
    if (!entry) return undefined;
    const record = JSON.parse(entry.record) as { received_at?: unknown };
    return { seq: entry.seq, receivedAtMs: parseRecordTime(record.received_at) };
  }
}

function silentAlert(
  source: string,
  sinceMs: number,
  maxSilenceMs: number,
  lastSeq: number | null,
  nowMs: number,
): NewAlert {
  const since = new Date(sinceMs).toISOString();
  return {
    key: `${SILENT_RULE}:${source}:${sinceMs}`,
    ruleId: SILENT_RULE,
    title: `Source ${source} is silent`,
    description:
      (lastSeq === null
        ? `No event from ${source} since it was registered at ${since}`
        : `No event from ${source} since ${since} (seq ${lastSeq})`) +
      `; it is expected at least every ${formatDuration(maxSilenceMs)} (ISO 27001 A.8.15, A.8.16).`,
    severity: 'high',
    seqs: [],
    sources: [source],
    triggeredAtMs: nowMs,
  };
}
