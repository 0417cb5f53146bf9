import { readCsvRecord } from './csv.js';

/** The columns of PostgreSQL's csvlog we use (runtime-config-logging, "Using CSV-Format Log Output"). */
export interface CsvlogRecord {
  /** "2026-11-22 09:14:03.120 UTC" as PostgreSQL wrote it. */
  logTime: string;
  user?: string;
  database?: string;
  processId?: string;
  /** "host:port" of the client, or "[local]". */
  connectionFrom?: string;
  sessionId?: string;
  severity: string;
  message: string;
  applicationName?: string;
}

/** At least the columns up to application_name (PostgreSQL 9.0+); 13+ adds backend_type etc. */
const MIN_COLUMNS = 23;

/**
 * Splits csvlog text into records. A record whose CSV is broken or too short is returned as
 * an error with its line, so the caller stores it raw instead of dropping it.
 */
export function parseCsvlog(
  text: string,
): ({ ok: true; record: CsvlogRecord } | { ok: false; line: string; error: string })[] {
  const out: ({ ok: true; record: CsvlogRecord } | { ok: false; line: string; error: string })[] =
    [];
  let at = 0;
  while (at < text.length) {
    if (text[at] === '\n' || text[at] === '\r') {
      at++;
      continue;
    }
    const read = readCsvRecord(text, at);
    if (!read) {
      out.push({ ok: false, line: text.slice(at), error: 'a quoted field is not closed' });
      break;
    }
    const f = read.fields;
    if (f.length < MIN_COLUMNS) {
      out.push({
        ok: false,
        line: text.slice(at, read.end).trimEnd(),
        error: `a csvlog line has at least ${MIN_COLUMNS} columns; this one has ${f.length}`,
      });
    } else {
      out.push({
        ok: true,
        record: {
          logTime: f[0]!,
          ...opt('user', f[1]),
          ...opt('database', f[2]),
          ...opt('processId', f[3]),
          ...opt('connectionFrom', f[4]),
          ...opt('sessionId', f[5]),
          severity: f[11]!,
          message: f[13]!,
          ...opt('applicationName', f[22]),
        },
      });
    }
    at = read.end;
  }
  return out;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}
