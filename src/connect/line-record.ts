import { CoreError } from '../core/errors.js';
import type { JsonObject, SubmittedRecord } from '../core/record/types.js';
import { isIpAddress, validateSubmittedRecord } from '../core/record/validate.js';
import type { LineMapper, LogLine, MappedFields } from './log-line.js';
import { FACILITY_NAMES, SEVERITY_NAMES } from './syslog/message.js';

/** Longest message text kept in a record's details (UTF-16 units; the record caps at 32 KiB). */
export const MAX_LINE_CHARS = 8192;
/** Room left under MAX_CANONICAL_RECORD_BYTES for id, times, source and escaping. */
const MAX_MAPPED_BYTES = 28 * 1024;
const MIN_TIME_MS = Date.UTC(1970, 0, 1);
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export interface LineContext {
  receivedAtMs: number;
  /** The sending peer's address (syslog), when there is one. */
  peerIp?: string;
  boundSource: string;
  /** Action of records for lines nothing could parse (`syslog.raw`, `ingest.raw`). */
  rawAction: string;
}

/**
 * A log line as a validated record: the first mapper that recognises it decides action,
 * actor, target and outcome; otherwise it is a generic `log.message` record from its app.
 * The original message is always kept in details. A mapped record that does not validate
 * (an over-long user name, say) becomes a raw record: stored, never dropped.
 */
export function lineToRecord(
  line: LogLine,
  mappers: readonly LineMapper[],
  ctx: LineContext,
): SubmittedRecord {
  let fields: MappedFields | undefined;
  // Relays add blanks around the text (rsyslog's %msg% keeps the space after the tag).
  const view = { ...line, message: line.message.trim() };
  for (const mapper of mappers) {
    fields = mapper(view);
    if (fields) break;
  }
  fields ??= genericFields(line);
  const timeOk =
    line.timeMs !== undefined && line.timeMs >= MIN_TIME_MS && line.timeMs <= MAX_TIME_MS;
  const { text, truncated } = cap(line.message);
  const details: JsonObject = {
    message: text,
    ...(truncated ? { truncated: true } : {}),
    ...lineDetails(line),
    ...(fields.details ?? {}),
  };
  const candidate = {
    time: new Date(timeOk ? line.timeMs! : ctx.receivedAtMs).toISOString(),
    action: fields.action,
    outcome: fields.outcome,
    actor: fields.actor,
    ...(fields.target ? { target: fields.target } : {}),
    ...(fields.category ? { category: fields.category } : {}),
    ...(fields.severity ? { severity: fields.severity } : {}),
    ...(fields.reason ? { reason: fields.reason } : {}),
    details,
  };
  // The canonical record is capped at 32 KiB; a line whose mapped form would not fit is kept
  // raw (its text capped) rather than refused by the append with the rest of its batch.
  if (Buffer.byteLength(JSON.stringify(candidate)) > MAX_MAPPED_BYTES) {
    return rawRecord(line.message, 'mapped record would exceed the record size cap', ctx);
  }
  try {
    return validateSubmittedRecord(candidate, '$', { boundSource: ctx.boundSource });
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    return rawRecord(line.message, `mapped record is not valid: ${error.message}`, ctx);
  }
}

/** A line nothing could parse or map: kept whole (up to the cap) with why. */
export function rawRecord(
  text: string,
  problem: string,
  ctx: LineContext,
  truncatedOnWire = false,
): SubmittedRecord {
  const { text: line, truncated } = cap(text);
  // A peer address the record cannot hold (an IPv6 zone id) is named in details instead.
  const ip = ctx.peerIp !== undefined && isIpAddress(ctx.peerIp) ? ctx.peerIp : undefined;
  return validateSubmittedRecord(
    {
      time: new Date(ctx.receivedAtMs).toISOString(),
      action: ctx.rawAction,
      outcome: 'unknown',
      actor: {
        id: (ip ?? ctx.peerIp ?? 'unknown').slice(0, 256),
        type: 'host',
        ...(ip ? { ip } : {}),
      },
      details: {
        line,
        problem: problem.slice(0, 1024),
        ...(truncated || truncatedOnWire ? { truncated: true } : {}),
      },
    },
    '$',
    { boundSource: ctx.boundSource },
  );
}

function genericFields(line: LogLine): MappedFields {
  return {
    action: 'log.message',
    outcome: 'unknown',
    actor: { id: line.appName || 'unknown', type: 'process' },
    ...(line.hostname ? { target: { type: 'host', id: line.hostname } } : {}),
    ...(line.severity !== undefined ? { severity: severityOf(line.severity) } : {}),
  };
}

function lineDetails(line: LogLine): JsonObject {
  const d: JsonObject = {};
  if (line.facility !== undefined) d.facility = FACILITY_NAMES[line.facility] ?? line.facility;
  if (line.severity !== undefined)
    d.syslog_severity = SEVERITY_NAMES[line.severity] ?? line.severity;
  if (line.hostname) d.host = line.hostname;
  if (line.appName) d.app = line.appName;
  if (line.procId) d.procid = line.procId;
  if (line.msgId) d.msgid = line.msgId;
  if (line.structuredData && Object.keys(line.structuredData).length > 0)
    d.sd = line.structuredData;
  return d;
}

/** RFC 5424 severities onto the record's scale. */
function severityOf(s: number): MappedFields['severity'] {
  if (s <= 1) return 'critical';
  if (s === 2) return 'high';
  if (s === 3) return 'medium';
  if (s === 4) return 'low';
  return 'info';
}

function cap(text: string): { text: string; truncated: boolean } {
  if (text.length <= MAX_LINE_CHARS) return { text, truncated: false };
  let cut = MAX_LINE_CHARS;
  // Never split a surrogate pair (a lone surrogate is not valid in the canonical form).
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return { text: text.slice(0, cut), truncated: true };
}
