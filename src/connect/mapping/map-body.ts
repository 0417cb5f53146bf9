import { canonicalize } from '../../core/canonical-json.js';
import { parseEventsBody } from '../../core/record/parse-body.js';
import type { SubmittedRecord } from '../../core/record/types.js';
import { type LineContext, lineToRecord, rawRecord } from '../line-record.js';
import type { LineMapper } from '../log-line.js';
import { postgresFields } from '../maps/postgres.js';
import { parseCsvlog } from '../pgaudit/csvlog.js';
import { contentId } from './content-id.js';
import { itemToLine, type JsonMapping } from './json-mapping.js';

export interface MappedBody {
  records: SubmittedRecord[];
  /** How many became raw records (nothing recognised or not valid). */
  raw: number;
}

export interface MapBodyOptions {
  source: string;
  receivedAtMs: number;
  mappers: readonly LineMapper[];
  dedupe: boolean;
}

/** JSON or NDJSON shipper records through a named mapping. */
export function mapJsonBody(
  text: string,
  format: 'json' | 'ndjson',
  mapping: JsonMapping,
  options: MapBodyOptions,
): MappedBody {
  // The same splitting, duplicate-key, depth and count checks as POST /api/v1/events.
  const items = parseEventsBody(text, format) as Record<string, unknown>[];
  const ctx = lineContext(options, mapping.name);
  let raw = 0;
  const records = items.map((item) => {
    const record = lineToRecord(
      itemToLine(item, mapping, options.receivedAtMs),
      options.mappers,
      ctx,
    );
    if (record.action === ctx.rawAction) raw++;
    return options.dedupe
      ? { ...record, id: contentId(options.source, mapping.name, canonicalize(item)) }
      : record;
  });
  return { records, raw };
}

/** PostgreSQL csvlog text (pgAudit entries, connections, failed logins; anything else generic). */
export function mapCsvlogBody(text: string, options: MapBodyOptions): MappedBody {
  const ctx = lineContext(options, 'postgres-csvlog');
  let raw = 0;
  const records: SubmittedRecord[] = [];
  for (const row of parseCsvlog(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) {
    let record: SubmittedRecord;
    let identity: string;
    if (!row.ok) {
      record = rawRecord(row.line, row.error, ctx);
      identity = row.line;
      raw++;
    } else {
      const r = row.record;
      const client = r.connectionFrom?.replace(/:\d+$/, '');
      const timeMs = Date.parse(r.logTime.replace(' ', 'T').replace(/ UTC$/, 'Z'));
      const fields = postgresFields(r.message, {
        ...(r.user ? { user: r.user } : {}),
        ...(r.database ? { database: r.database } : {}),
        ...(r.applicationName ? { application: r.applicationName } : {}),
        ...(client && /^[\d.]+$|:/.test(client) && client !== '[local]'
          ? { clientIp: client }
          : {}),
      });
      const line = {
        message: r.message,
        appName: 'postgres',
        ...(Number.isNaN(timeMs) ? {} : { timeMs }),
        ...(r.processId ? { procId: r.processId } : {}),
      };
      record = lineToRecord(line, fields ? [() => fields] : options.mappers, ctx);
      if (record.action === ctx.rawAction) raw++;
      identity = JSON.stringify(r);
    }
    records.push(
      options.dedupe
        ? { ...record, id: contentId(options.source, 'postgres-csvlog', identity) }
        : record,
    );
  }
  return { records, raw };
}

function lineContext(options: MapBodyOptions, mapping: string): LineContext {
  return {
    receivedAtMs: options.receivedAtMs,
    boundSource: options.source,
    rawAction: `${mapping.replace(/[^a-z0-9_]/g, '_')}.raw`,
  };
}
