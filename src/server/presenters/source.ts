import { formatDuration } from '../../monitor/sources/duration.js';
import type { SourceSettings } from '../../monitor/sources/settings.js';
import { silenceOf } from '../../monitor/sources/silence.js';
import type { SourceRecord } from '../../monitor/sources/source-registry.js';
import { type SourceStats, summarize } from '../../monitor/sources/source-stats.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One source as the API shows it (an allow-list of fields, docs/api.md "Sources"). */
export function sourceJson(
  record: SourceRecord,
  stats: SourceStats | undefined,
  nowMs: number,
  settings: SourceSettings,
) {
  const silence = silenceOf(record, stats, nowMs, settings.defaultMaxSilenceMs);
  const summary = stats ? summarize(stats, nowMs) : undefined;
  const skew = stats?.skew;
  return {
    name: record.name,
    origin: record.origin,
    description: record.description,
    expected_max_silence:
      silence.maxSilenceMs === null ? null : formatDuration(silence.maxSilenceMs),
    expected_max_silence_is_default: record.maxSilenceMs === undefined,
    status: silence.status,
    silent_since: silence.status === 'silent' ? iso(silence.sinceMs) : null,
    quiet_for_ms: silence.quietMs,
    silence_alert_id: stats?.silence?.alertId ?? null,
    last_event:
      stats?.lastSeq == null
        ? null
        : {
            seq: stats.lastSeq,
            received_at: iso(stats.lastReceivedAtMs),
            time: iso(stats.lastTimeMs),
          },
    events: {
      total: stats?.total ?? 0,
      last_hour: summary?.lastHour ?? 0,
      last_24h: summary?.last24h ?? 0,
      per_minute_last_hour: Math.round(((summary?.lastHour ?? 0) / 60) * 100) / 100,
    },
    clock_skew: {
      count: skew?.count ?? 0,
      p50_ms: summary?.skewP50Ms ?? null,
      p95_ms: summary?.skewP95Ms ?? null,
      min_ms: skew?.minMs ?? null,
      max_ms: skew?.maxMs ?? null,
      beyond_threshold: skew?.beyond ?? 0,
      threshold_ms: settings.maxClockSkewMs,
    },
    created_at: iso(record.createdAtMs),
    updated_at: iso(record.updatedAtMs),
  };
}
