import { toBase64 } from '../../core/bytes.js';
import type { EntryFlags } from '../../events/entry-flags.js';
import type { StoredCheckpoint, StoredEntry } from '../../store/store.js';
import { csvLine } from '../../util/csv.js';
import { entryJson } from './entry.js';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * CSV columns. `record` is the canonical text the leaf hash commits to, so any row can be
 * proven later: leaf_hash = SHA-256(0x00 ‖ record), then an inclusion proof for `seq`.
 */
export const ENTRY_CSV_COLUMNS = [
  'seq',
  'id',
  'time',
  'received_at',
  'source',
  'actor_id',
  'actor_name',
  'actor_type',
  'actor_ip',
  'action',
  'target_type',
  'target_id',
  'target_name',
  'outcome',
  'reason',
  'flags',
  'leaf_hash',
  'record',
] as const;

interface RecordFields {
  id: string;
  time: string;
  received_at: string;
  source: string;
  actor: { id: string; name?: string; type?: string; ip?: string };
  action: string;
  target?: { type?: string; id?: string; name?: string };
  outcome: string;
  reason?: string;
}

export function entryCsvRow(entry: StoredEntry, flagsOf: EntryFlags): string {
  const r = JSON.parse(entry.record) as RecordFields;
  return csvLine([
    entry.seq,
    r.id,
    r.time,
    r.received_at,
    r.source,
    r.actor.id,
    r.actor.name ?? null,
    r.actor.type ?? null,
    r.actor.ip ?? null,
    r.action,
    r.target?.type ?? null,
    r.target?.id ?? null,
    r.target?.name ?? null,
    r.outcome,
    r.reason ?? null,
    flagsOf.of(entry).join(' ') || null,
    toBase64(entry.leafHash),
    entry.record,
  ]);
}

export function entryExportLine(
  format: ExportFormat,
  entry: StoredEntry,
  flagsOf: EntryFlags,
): string {
  return format === 'csv' ? entryCsvRow(entry, flagsOf) : `${entryJson(entry, flagsOf)}\n`;
}

export function exportHeader(format: ExportFormat): string {
  return format === 'csv' ? csvLine(ENTRY_CSV_COLUMNS) : '';
}

/**
 * The last line: how many entries came, and the signed checkpoint the export was taken at
 * (every entry has seq < tree_size, so each is provable against it). Its absence means the
 * export was cut short. NDJSON: `{"trailer":{…}}`; CSV: a row whose first cell is
 * `#trailer`, then `count=N`, `tree_size=S`, `checkpoint=<base64 of the signed note>`.
 */
export function exportTrailer(
  format: ExportFormat,
  count: number,
  checkpoint: StoredCheckpoint,
): string {
  if (format === 'csv') {
    return csvLine([
      '#trailer',
      `count=${count}`,
      `tree_size=${checkpoint.size}`,
      `checkpoint=${Buffer.from(checkpoint.note, 'utf8').toString('base64')}`,
    ]);
  }
  return `${JSON.stringify({ trailer: { count, tree_size: checkpoint.size, checkpoint: checkpoint.note } })}\n`;
}
