import type { EntryStamp } from '../types.js';
import {
  type Buckets,
  countIn,
  countSince,
  HOUR_MS,
  HOURS_KEPT,
  MINUTE_MS,
  MINUTES_KEPT,
} from './rate-buckets.js';
import { addSkew, emptySkewHistogram, type SkewHistogram, skewQuantile } from './skew-histogram.js';

/** The state kind of per-source statistics (one document per source, id = source name). */
export const SOURCE_STATS_KIND = 'source_stats';

/** A silence the periodic check found and has not yet seen end. */
export interface SilenceMark {
  /** received_at of the last event before the silence (or when the source was registered). */
  sinceMs: number;
  lastSeq: number | null;
  detectedAtMs: number;
  /** Set once the alert is raised; null between marking and raising. */
  alertId: string | null;
}

/**
 * What the observer learned about one source, in a bounded size: counters, the last hour by
 * minute, the last day by hour, and a fixed-bucket skew histogram.
 */
export interface SourceStats {
  source: string;
  firstSeq: number | null;
  lastSeq: number | null;
  lastReceivedAtMs: number | null;
  lastTimeMs: number | null;
  total: number;
  minutes: Buckets;
  hours: Buckets;
  skew: SkewHistogram;
  /** The hour (received_at / 1 h) of the last clock-skew alert, so one hour raises one. */
  skewAlertHour: number | null;
  silence: SilenceMark | null;
}

export function emptyStats(source: string): SourceStats {
  return {
    source,
    firstSeq: null,
    lastSeq: null,
    lastReceivedAtMs: null,
    lastTimeMs: null,
    total: 0,
    minutes: [],
    hours: [],
    skew: emptySkewHistogram(),
    skewAlertHour: null,
    silence: null,
  };
}

export interface AppliedEntries {
  stats: SourceStats;
  /** Entries not counted before (seq > lastSeq): a replay after a crash counts nothing twice. */
  fresh: EntryStamp[];
  /** Fresh entries beyond the skew limit, grouped by received_at hour, for hours not alerted. */
  skewAlerts: { hour: number; entries: EntryStamp[] }[];
  /** The silence these entries ended, if any. */
  recovered: SilenceMark | null;
}

/** Folds one source's entries (ascending seq) into its statistics; `current` is not changed. */
export function applyEntries(
  current: SourceStats,
  entries: readonly EntryStamp[],
  maxSkewMs: number,
): AppliedEntries {
  const stats: SourceStats = structuredClone(current);
  const fresh: EntryStamp[] = [];
  const skewed = new Map<number, EntryStamp[]>();
  let recovered: SilenceMark | null = null;
  for (const e of entries) {
    if (stats.lastSeq !== null && e.seq <= stats.lastSeq) continue;
    fresh.push(e);
    stats.firstSeq ??= e.seq;
    stats.lastSeq = e.seq;
    stats.lastReceivedAtMs = e.receivedAtMs;
    stats.lastTimeMs = e.timeMs;
    stats.total++;
    countIn(stats.minutes, Math.floor(e.receivedAtMs / MINUTE_MS), MINUTES_KEPT);
    countIn(stats.hours, Math.floor(e.receivedAtMs / HOUR_MS), HOURS_KEPT);
    // A declared backfill is old on purpose: it says nothing about the source's clock.
    const skew = e.historical ? 0 : e.receivedAtMs - e.timeMs;
    if (!e.historical) addSkew(stats.skew, skew, maxSkewMs);
    const hour = Math.floor(e.receivedAtMs / HOUR_MS);
    if (
      Math.abs(skew) > maxSkewMs &&
      (stats.skewAlertHour === null || hour > stats.skewAlertHour)
    ) {
      skewed.set(hour, [...(skewed.get(hour) ?? []), e]);
    }
    if (stats.silence !== null && e.receivedAtMs > stats.silence.sinceMs) {
      recovered = stats.silence;
      stats.silence = null;
    }
  }
  const skewAlerts = [...skewed].map(([hour, list]) => ({ hour, entries: list }));
  const lastAlert = skewAlerts[skewAlerts.length - 1];
  if (lastAlert) stats.skewAlertHour = lastAlert.hour;
  return { stats, fresh, skewAlerts, recovered };
}

/** The numbers the API shows, as of `nowMs`. */
export interface StatsSummary {
  lastHour: number;
  last24h: number;
  skewP50Ms: number | null;
  skewP95Ms: number | null;
}

export function summarize(stats: SourceStats, nowMs: number): StatsSummary {
  return {
    lastHour: countSince(stats.minutes, Math.floor(nowMs / MINUTE_MS), MINUTES_KEPT),
    last24h: countSince(stats.hours, Math.floor(nowMs / HOUR_MS), HOURS_KEPT),
    skewP50Ms: skewQuantile(stats.skew, 0.5),
    skewP95Ms: skewQuantile(stats.skew, 0.95),
  };
}
