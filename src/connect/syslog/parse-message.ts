import type { SyslogMessage } from './message.js';

export type ParseResult = { ok: true; message: SyslogMessage } | { ok: false; error: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
// RFC 5424 §6.2.3 (RFC 3339 with at most 6 fractional digits, a Z or offset).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
// RFC 3164 §4.1.2: "Mmm dd hh:mm:ss", the day padded with a space.
const BSD_TIME = /^([A-Z][a-z]{2}) ([ 1-3]?\d) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? /;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?:(?: |$)/;

/**
 * Parses one syslog message: RFC 5424 when the PRI is followed by a version digit, else
 * RFC 3164 (BSD) leniently, as real senders write it. `receivedAtMs` supplies the year
 * RFC 3164 timestamps lack (§4.1.2); they carry no zone either and are read as UTC.
 */
export function parseSyslogMessage(frame: string, receivedAtMs: number): ParseResult {
  // Octet-counted senders may still end the message with a newline (rsyslog's templates do).
  const text = frame.replace(/\r?\n$/, '');
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri) return { ok: false, error: 'no <PRI> at the start (RFC 5424 §6.2.1)' };
  const value = Number(pri[1]);
  if (value > 191) return { ok: false, error: `PRI ${value} is above 191` };
  const rest = text.slice(pri[0].length);
  const base = { facility: Math.floor(value / 8), severity: value % 8 };
  if (/^[1-9]\d{0,2} /.test(rest)) return parse5424(rest, base);
  return { ok: true, message: parse3164(rest, base, receivedAtMs) };
}

function parse5424(text: string, base: { facility: number; severity: number }): ParseResult {
  const fields: string[] = [];
  let at = 0;
  for (let k = 0; k < 6; k++) {
    const sp = text.indexOf(' ', at);
    if (sp < 0) return { ok: false, error: 'RFC 5424 header is cut short (§6.2)' };
    fields.push(text.slice(at, sp));
    at = sp + 1;
  }
  const [version, timestamp, hostname, appName, procId, msgId] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (version !== '1') return { ok: false, error: `unsupported syslog version ${version}` };
  let timeMs: number | undefined;
  if (timestamp !== '-') {
    timeMs = parse3339(timestamp);
    if (timeMs === undefined)
      return { ok: false, error: `timestamp ${JSON.stringify(timestamp)} is not RFC 3339` };
  }
  const sd = parseStructuredData(text, at);
  if (typeof sd === 'string') return { ok: false, error: sd };
  let message = text.slice(sd.end);
  if (message.startsWith(' ')) message = message.slice(1);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  return {
    ok: true,
    message: {
      format: 'rfc5424',
      ...base,
      ...(timeMs === undefined ? {} : { timeMs }),
      ...nil('hostname', hostname),
      ...nil('appName', appName),
      ...nil('procId', procId),
      ...nil('msgId', msgId),
      structuredData: sd.data,
      message,
    },
  };
}

/** RFC 5424 §6.3: "-" or one or more [SD-ID *(SP PARAM-NAME="PARAM-VALUE")]. */
function parseStructuredData(
  text: string,
  start: number,
): { data: Record<string, Record<string, string>>; end: number } | string {
  const data: Record<string, Record<string, string>> = {};
  if (text[start] === '-') return { data, end: start + 1 };
  let at = start;
  if (text[at] !== '[') return 'structured data must be "-" or start with "[" (RFC 5424 §6.3)';
  while (text[at] === '[') {
    at++;
    const id = /^[^\s=\]"]{1,32}/.exec(text.slice(at, at + 33));
    if (!id) return 'an SD-ELEMENT has no SD-ID (RFC 5424 §6.3.2)';
    at += id[0].length;
    const params: Record<string, string> = Object.create(null);
    while (text[at] === ' ') {
      at++;
      const name = /^[^\s=\]"]{1,32}/.exec(text.slice(at, at + 33));
      if (!name || text[at + name[0].length] !== '=' || text[at + name[0].length + 1] !== '"')
        return `SD-PARAM in [${id[0]}] must be name="value" (RFC 5424 §6.3.3)`;
      at += name[0].length + 2;
      let value = '';
      for (;;) {
        const c = text[at];
        if (c === undefined) return `SD-PARAM ${name[0]} in [${id[0]}] is not closed`;
        if (c === '\\' && (text[at + 1] === '"' || text[at + 1] === '\\' || text[at + 1] === ']')) {
          value += text[at + 1];
          at += 2;
        } else if (c === '"') {
          at++;
          break;
        } else {
          value += c;
          at++;
        }
      }
      params[name[0]] = value;
    }
    if (text[at] !== ']') return `SD-ELEMENT [${id[0]}] is not closed with "]"`;
    at++;
    data[id[0]] = { ...params };
  }
  return { data, end: at };
}

function parse3164(
  text: string,
  base: { facility: number; severity: number },
  receivedAtMs: number,
): SyslogMessage {
  let rest = text;
  let timeMs: number | undefined;
  const bsd = BSD_TIME.exec(rest);
  if (bsd) {
    timeMs = bsdTime(bsd, receivedAtMs);
    rest = rest.slice(bsd[0].length);
  } else {
    const sp = rest.indexOf(' ');
    const iso = sp > 0 ? parse3339(rest.slice(0, sp)) : undefined;
    if (iso !== undefined) {
      timeMs = iso;
      rest = rest.slice(sp + 1);
    }
  }
  let hostname: string | undefined;
  // A hostname is a token before the tag; a token that is itself the tag ("sshd[1]:") is not.
  if (timeMs !== undefined && !TAG.test(rest)) {
    const sp = rest.indexOf(' ');
    if (sp > 0) {
      hostname = rest.slice(0, sp);
      rest = rest.slice(sp + 1);
    }
  }
  let appName: string | undefined;
  let procId: string | undefined;
  const tag = TAG.exec(rest);
  if (tag) {
    appName = tag[1];
    procId = tag[2];
    rest = rest.slice(tag[0].length);
  }
  return {
    format: 'rfc3164',
    ...base,
    ...(timeMs === undefined ? {} : { timeMs }),
    ...(hostname === undefined ? {} : { hostname }),
    ...(appName === undefined ? {} : { appName }),
    ...(procId === undefined ? {} : { procId }),
    structuredData: {},
    message: rest,
  };
}

function bsdTime(m: RegExpExecArray, receivedAtMs: number): number | undefined {
  const month = MONTHS.indexOf(m[1]!);
  const day = Number(m[2]!.trim());
  const [h, min, s] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (month < 0 || day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const year = new Date(receivedAtMs).getUTCFullYear();
  let ms = Date.UTC(year, month, day, h, min, s);
  // A December message received in January belongs to the year before.
  if (ms > receivedAtMs + DAY_MS) ms = Date.UTC(year - 1, month, day, h, min, s);
  return ms;
}

function parse3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${m[8]}`,
  );
  return Number.isNaN(ms) ? undefined : ms;
}

function nil<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value === '-' ? {} : { [key]: value }) as { [P in K]?: string };
}
