import type { LogLine } from '../log-line.js';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../syslog/message.js';
import { parseSyslogMessage } from '../syslog/parse-message.js';

/**
 * How one shipper's JSON record becomes a LogLine: for each line field, the record keys to
 * try in order (the first present wins). Keys may be dotted paths ("kubernetes.host").
 */
export interface JsonMapping {
  name: string;
  time: string[];
  host: string[];
  app: string[];
  procid: string[];
  msgid: string[];
  message: string[];
  facility: string[];
  severity: string[];
  /** Syslog PRI (facility × 8 + severity), for shippers that keep only that. */
  pri: string[];
  /** De-duplicate by content hash unless the request says otherwise. */
  dedupe: boolean;
}

export const LINE_FIELDS = [
  'time',
  'host',
  'app',
  'procid',
  'msgid',
  'message',
  'facility',
  'severity',
  'pri',
] as const;

const none = { msgid: [], facility: [], severity: [], pri: [], dedupe: false };

/**
 * The shippers' native records (fixtures in test/fixtures/shippers/): Fluent Bit's http
 * output (json / json_lines; `date` in epoch seconds) from its syslog, systemd and tail
 * inputs; Vector's http sink (json / ndjson codec) from its syslog, journald and file
 * sources; syslog-ng's http() destination with $(format-json --scope rfc5424 --key ISODATE).
 */
export const BUILTIN_MAPPINGS: Record<string, JsonMapping> = {
  'fluent-bit': {
    ...none,
    name: 'fluent-bit',
    time: ['date', 'time', '@timestamp', 'timestamp'],
    host: ['host', 'hostname', '_HOSTNAME'],
    app: ['ident', 'SYSLOG_IDENTIFIER', '_COMM'],
    procid: ['pid', '_PID'],
    message: ['message', 'MESSAGE', 'log'],
    facility: ['SYSLOG_FACILITY'],
    severity: ['PRIORITY'],
    pri: ['pri'],
  },
  vector: {
    ...none,
    name: 'vector',
    time: ['timestamp'],
    host: ['hostname', 'host'],
    app: ['appname', 'SYSLOG_IDENTIFIER', '_COMM'],
    procid: ['procid', '_PID'],
    msgid: ['msgid'],
    message: ['message', 'MESSAGE'],
    facility: ['facility', 'SYSLOG_FACILITY'],
    severity: ['severity', 'PRIORITY'],
  },
  'syslog-ng': {
    ...none,
    name: 'syslog-ng',
    time: ['ISODATE', 'R_ISODATE', 'DATE'],
    host: ['HOST'],
    app: ['PROGRAM'],
    procid: ['PID'],
    msgid: ['MSGID'],
    message: ['MESSAGE'],
    facility: ['FACILITY'],
    severity: ['PRIORITY', 'LEVEL'],
  },
};

const SEVERITY_ALIASES: Record<string, number> = {
  emergency: 0,
  panic: 0,
  critical: 2,
  error: 3,
  warn: 4,
  informational: 6,
};

/**
 * A shipper's record as a LogLine. When the record carries no app name but its message is
 * a whole syslog-file line ("Nov 22 09:14:03 web1 sshd[7]: …", as a tail input reads
 * /var/log/auth.log), that line is parsed so the built-in maps still apply.
 */
export function itemToLine(
  item: Record<string, unknown>,
  mapping: JsonMapping,
  receivedAtMs: number,
): LogLine {
  const text = (keys: string[]) => {
    for (const key of keys) {
      const v = pick(item, key);
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    }
    return undefined;
  };
  const message = text(mapping.message) ?? JSON.stringify(item);
  let line: LogLine = { message };
  const host = text(mapping.host);
  const app = text(mapping.app);
  const procid = text(mapping.procid);
  const msgid = text(mapping.msgid);
  if (host) line.hostname = host;
  if (app) line.appName = app;
  if (procid) line.procId = procid;
  if (msgid) line.msgId = msgid;
  const timeMs = timeOf(firstValue(item, mapping.time), receivedAtMs);
  if (timeMs !== undefined) line.timeMs = timeMs;
  const pri = Number(text(mapping.pri));
  if (Number.isInteger(pri) && pri >= 0 && pri <= 191) {
    line.facility = Math.floor(pri / 8);
    line.severity = pri % 8;
  }
  const facility = codeOf(text(mapping.facility), FACILITY_NAMES, {});
  const severity = codeOf(text(mapping.severity), SEVERITY_NAMES, SEVERITY_ALIASES);
  if (facility !== undefined) line.facility = facility;
  if (severity !== undefined) line.severity = severity;
  if (!app) {
    const parsed = parseSyslogMessage(`<13>${message}`, receivedAtMs);
    if (parsed.ok && parsed.message.appName && parsed.message.timeMs !== undefined) {
      const {
        format: _f,
        facility: _fa,
        severity: _s,
        structuredData: _sd,
        ...fields
      } = parsed.message;
      line = { ...line, ...fields, ...(host ? { hostname: host } : {}) };
      if (timeMs !== undefined) line.timeMs = timeMs;
    }
  }
  return line;
}

function pick(item: Record<string, unknown>, path: string): unknown {
  if (path in item) return item[path];
  let v: unknown = item;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function firstValue(item: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) {
    const v = pick(item, key);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Epoch seconds (Fluent Bit's double), epoch ms, RFC 3339, or "Mmm dd hh:mm:ss". */
function timeOf(v: unknown, receivedAtMs: number): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v))
    return v < 1e11 ? Math.floor(v * 1000) : Math.floor(v); // truncated, as record times are
  if (typeof v !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return timeOf(Number(v), receivedAtMs);
  const iso = Date.parse(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(iso)) return iso;
  const parsed = parseSyslogMessage(`<13>${v} h a: x`, receivedAtMs);
  return parsed.ok ? parsed.message.timeMs : undefined;
}

function codeOf(
  v: string | undefined,
  names: readonly string[],
  aliases: Record<string, number>,
): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d{1,2}$/.test(v)) {
    const n = Number(v);
    return n < names.length ? n : undefined;
  }
  const lower = v.toLowerCase();
  const i = names.indexOf(lower);
  return i >= 0 ? i : aliases[lower];
}
