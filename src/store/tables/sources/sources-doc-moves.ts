import type { SourceRecord } from '../../../monitor/sources/source-registry.js';
import type { SourceStats } from '../../../monitor/sources/source-stats.js';
import type { DocMove } from '../../doc-move.js';
import { isObject } from '../stored-json.js';
import { isBuckets, isSkewHistogram, statsColumns } from './source-stats-table.js';
import { sourceColumns } from './sources-table.js';

const intOrNull = (v: unknown) => v === null || Number.isSafeInteger(v);

/** Migration 8's data step for the source registry and the per-source statistics. */
export const SOURCES_DOC_MOVES: readonly DocMove[] = [
  {
    kind: 'source',
    table: 'sources',
    toRows: (doc) => {
      const v = doc.value;
      const ok =
        isObject(v) &&
        v.name === doc.id &&
        (v.origin === 'declared' || v.origin === 'ingest_key' || v.origin === 'seen') &&
        (v.description === null || typeof v.description === 'string') &&
        (v.maxSilenceMs === undefined || intOrNull(v.maxSilenceMs)) &&
        Number.isSafeInteger(v.createdAtMs) &&
        typeof v.createdBy === 'string' &&
        Number.isSafeInteger(v.updatedAtMs) &&
        typeof v.updatedBy === 'string';
      if (!ok) throw new Error(`source document "${doc.id}" cannot be read`);
      return [{ ...sourceColumns(v as unknown as SourceRecord, doc.version) }];
    },
  },
  {
    kind: 'source_stats',
    table: 'source_stats',
    toRows: (doc) => {
      const v = doc.value;
      const silence = isObject(v) ? v.silence : undefined;
      const ok =
        isObject(v) &&
        v.source === doc.id &&
        intOrNull(v.firstSeq) &&
        intOrNull(v.lastSeq) &&
        intOrNull(v.lastReceivedAtMs) &&
        intOrNull(v.lastTimeMs) &&
        Number.isSafeInteger(v.total) &&
        isBuckets(v.minutes) &&
        isBuckets(v.hours) &&
        isSkewHistogram(v.skew) &&
        intOrNull(v.skewAlertHour) &&
        (silence === null ||
          (isObject(silence) &&
            Number.isSafeInteger(silence.sinceMs) &&
            intOrNull(silence.lastSeq) &&
            Number.isSafeInteger(silence.detectedAtMs) &&
            (silence.alertId === null || typeof silence.alertId === 'string')));
      if (!ok) throw new Error(`statistics document of source "${doc.id}" cannot be read`);
      return [{ ...statsColumns(v as unknown as SourceStats, doc.version, doc.updatedAtMs) }];
    },
  },
];
