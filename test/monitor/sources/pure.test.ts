import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../src/monitor/sources/duration.js';
import { countIn, countSince } from '../../../src/monitor/sources/rate-buckets.js';
import {
  parseDurationSetting,
  sourceSettingsFromEnv,
} from '../../../src/monitor/sources/settings.js';
import { skewFlags } from '../../../src/monitor/sources/skew-flags.js';
import {
  addSkew,
  emptySkewHistogram,
  skewQuantile,
} from '../../../src/monitor/sources/skew-histogram.js';
import { applyEntries, emptyStats, summarize } from '../../../src/monitor/sources/source-stats.js';
import type { EntryStamp } from '../../../src/monitor/types.js';

const T = Date.parse('2026-11-22T09:00:00.000Z');
const entry = (seq: number, receivedAtMs: number, skewMs = 0): EntryStamp => ({
  seq,
  source: 'billing-api',
  timeMs: receivedAtMs - skewMs,
  receivedAtMs,
  historical: false,
});

describe('durations', () => {
  it('reads and writes the forms the API and CLI take', () => {
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('1s500ms'), 1500);
    for (const bad of ['', '15', 'm', '15 m', '1m1h', '1h1h', '-5m', '1.5h', '15min']) {
      assert.equal(parseDuration(bad), undefined, bad);
    }
    for (const ms of [1000, 900_000, 5_400_000, 86_400_001, 0]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
    assert.equal(formatDuration(5_400_000), '1h30m');
  });

  it('bounds settings and names the setting in the error', () => {
    assert.equal(parseDurationSetting('off', 'X', { allowOff: true }), null);
    assert.throws(() => parseDurationSetting('off', 'X'), /X must be a duration/);
    assert.throws(() => parseDurationSetting('500ms', 'X'), /between 1s/);
    assert.throws(() => parseDurationSetting('400d', 'X'), /between 1s and 366d/);
    const env = sourceSettingsFromEnv({
      EVIDENT_MAX_CLOCK_SKEW: '30s',
      EVIDENT_SOURCE_MAX_SILENCE: 'off',
      EVIDENT_LATE_EVENT_BOUND: '1h',
    });
    assert.deepEqual(env, {
      maxClockSkewMs: 30_000,
      defaultMaxSilenceMs: null,
      checkIntervalMs: 30_000,
      lateAfterMs: 3_600_000,
    });
    assert.equal(sourceSettingsFromEnv({}).lateAfterMs, 15 * 60_000);
    assert.throws(
      () => sourceSettingsFromEnv({ EVIDENT_LATE_EVENT_BOUND: 'soon' }),
      /EVIDENT_LATE_EVENT_BOUND/,
    );
    assert.throws(
      () => sourceSettingsFromEnv({ EVIDENT_SOURCE_CHECK_INTERVAL: '2d' }),
      /EVIDENT_SOURCE_CHECK_INTERVAL/,
    );
  });
});

describe('skew flags', () => {
  it('flags beyond the limit either way, not at it', () => {
    const max = 300_000;
    assert.equal(skewFlags(T, T + max, max), undefined);
    assert.equal(skewFlags(T, T - max, max), undefined);
    assert.deepEqual(skewFlags(T, T + max + 1, max), { flags: ['clock_skew'], skew_ms: max + 1 });
    assert.deepEqual(skewFlags(T + max + 1, T, max), {
      flags: ['clock_skew'],
      skew_ms: -(max + 1),
    });
  });
});

describe('skew histogram', () => {
  it('keeps exact extremes and interpolates quantiles within a bucket, clamped to them', () => {
    const h = emptySkewHistogram();
    for (let i = 0; i < 90; i++) addSkew(h, 20, 300_000);
    for (let i = 0; i < 9; i++) addSkew(h, -700, 300_000);
    addSkew(h, 400_000, 300_000);
    assert.equal(h.count, 100);
    assert.equal(h.beyond, 1);
    assert.equal(h.minMs, -700);
    assert.equal(h.maxMs, 400_000);
    // Rank 50: 9 ahead, then 41 of the 90 in the (10, 50] bucket: 10 + 40 × 41/90.
    assert.equal(skewQuantile(h, 0.5), 28);
    // Rank 5 of the 9 in (-1000, -500]: -1000 + 500 × 5/9 = -722, clamped to the minimum.
    assert.equal(skewQuantile(h, 0.05), -700);
    // The top rank is the top of (300 000, 600 000], clamped to the maximum.
    assert.equal(skewQuantile(h, 1), 400_000);
    assert.equal(skewQuantile(emptySkewHistogram(), 0.5), null);
  });

  it('reads a month-old backfill beside 80-minute skews as minutes, not as the 6 h bucket edge', () => {
    const h = emptySkewHistogram();
    // 1,000 events between 70 and 89 minutes late, 20 replayed from 30 days ago.
    for (let i = 0; i < 1000; i++) addSkew(h, (70 + (i % 20)) * 60_000, 300_000);
    for (let i = 0; i < 20; i++) addSkew(h, 30 * 86_400_000, 300_000);
    const p95 = skewQuantile(h, 0.95)!;
    assert.ok(p95 > 60 * 60_000 && p95 <= 90 * 60_000, `p95 ${p95} ms`);
    const p50 = skewQuantile(h, 0.5)!;
    assert.ok(p50 > 60 * 60_000 && p50 < p95, `p50 ${p50} ms`);
    assert.equal(skewQuantile(h, 1), 30 * 86_400_000);
  });

  it('interpolates in the overflow bucket up to the observed extreme', () => {
    const h = emptySkewHistogram();
    for (let i = 0; i < 2; i++) addSkew(h, -40 * 86_400_000, 300_000);
    for (let i = 0; i < 2; i++) addSkew(h, -32 * 86_400_000, 300_000);
    // Rank 2 of the 4 beyond 30 days ahead, spread from the extreme (-40 d) to -30 d.
    assert.equal(skewQuantile(h, 0.5), -35 * 86_400_000);
  });

  it('stays the same size however many skews it holds', () => {
    const h = emptySkewHistogram();
    const size = JSON.stringify(h).length;
    for (let i = 0; i < 10_000; i++) addSkew(h, (i % 7) * 1000 - 3000, 300_000);
    assert.ok(JSON.stringify(h).length < size + 200);
  });
});

describe('rate buckets', () => {
  it('keeps only the span and counts the window ending now', () => {
    const b: [number, number][] = [];
    for (let m = 0; m < 200; m++) countIn(b, m, 60);
    assert.equal(b.length, 60);
    assert.equal(b[0]![0], 140);
    assert.equal(countSince(b, 199, 60), 60);
    assert.equal(countSince(b, 210, 60), 49);
    assert.equal(countSince(b, 300, 60), 0);
  });
});

describe('applyEntries', () => {
  it('counts each seq once: a replay after a crash changes nothing', () => {
    const first = applyEntries(emptyStats('billing-api'), [entry(3, T), entry(5, T + 1)], 1000);
    assert.equal(first.stats.total, 2);
    const replay = applyEntries(first.stats, [entry(3, T), entry(5, T + 1)], 1000);
    assert.equal(replay.fresh.length, 0);
    assert.deepEqual(replay.stats, first.stats);
    const more = applyEntries(first.stats, [entry(5, T + 1), entry(8, T + 2)], 1000);
    assert.deepEqual(
      more.fresh.map((e) => e.seq),
      [8],
    );
    assert.equal(more.stats.total, 3);
    assert.equal(more.stats.lastSeq, 8);
  });

  it('asks for one skew alert per hour, and ends a silence on a later event', () => {
    const skewed = applyEntries(
      emptyStats('billing-api'),
      [entry(1, T, 5000), entry(2, T + 1, 5000), entry(3, T + 3_600_000, -5000)],
      1000,
    );
    assert.deepEqual(
      skewed.skewAlerts.map((a) => [a.hour, a.entries.map((e) => e.seq)]),
      [
        [T / 3_600_000, [1, 2]],
        [T / 3_600_000 + 1, [3]],
      ],
    );
    const sameHour = applyEntries(skewed.stats, [entry(4, T + 3_600_001, 5000)], 1000);
    assert.deepEqual(sameHour.skewAlerts, []);

    const silent = {
      ...sameHour.stats,
      silence: { sinceMs: T + 3_600_001, lastSeq: 4, detectedAtMs: T + 9e6, alertId: 'a' },
    };
    const back = applyEntries(silent, [entry(5, T + 9_000_000)], 1000);
    assert.equal(back.recovered?.alertId, 'a');
    assert.equal(back.stats.silence, null);
  });

  it('summarises the last hour by minute and the last day by hour', () => {
    const list = [entry(0, T - 2 * 3_600_000), entry(1, T - 59 * 60_000), entry(2, T)];
    const { stats } = applyEntries(emptyStats('billing-api'), list, 1000);
    const s = summarize(stats, T);
    assert.equal(s.lastHour, 2);
    assert.equal(s.last24h, 3);
    assert.equal(summarize(stats, T + 25 * 3_600_000).last24h, 0);
  });
});

describe('declared backfills and clock skew', () => {
  it('counts a historical entry as an event but never in skew statistics or skew alerts', () => {
    const month = 30 * 86_400_000;
    const backfill = { ...entry(1, T, month), historical: true };
    const undeclared = entry(2, T + 1000, month);
    const applied = applyEntries(emptyStats('billing-api'), [backfill], 300_000);
    assert.equal(applied.stats.total, 1);
    assert.deepEqual(applied.skewAlerts, []);
    assert.equal(summarize(applied.stats, T).skewP95Ms, null);
    // The same age without the declaration is the source's clock, as before.
    const live = applyEntries(applied.stats, [undeclared], 300_000);
    assert.equal(live.skewAlerts.length, 1);
    assert.deepEqual(
      live.skewAlerts[0]!.entries.map((e) => e.seq),
      [2],
    );
  });
});
