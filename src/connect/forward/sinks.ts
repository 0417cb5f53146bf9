/**
 * Where forwarded entries go. `deliver` resolves once the receiver has acknowledged the whole
 * batch: an HTTPS collector's 2xx, or for syslog (which has no application-level
 * acknowledgement) the bytes handed to the kernel's TCP socket and no error on it.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { StreamedLine } from './stream-lines.js';

export interface Sink {
  deliver(batch: readonly StreamedLine[]): Promise<void>;
  close(): void;
}

export interface SinkOptions {
  /** PEM file of CAs to trust (private CAs, test receivers). */
  caFile?: string;
  /** Extra HTTP headers, `Name: value` (HTTPS only). */
  headers?: string[];
}

export function openSink(to: string, options: SinkOptions = {}): Sink {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    throw new Error(
      `--to "${to}" is not a URL; use https://…, syslog+tls://host:port or syslog+tcp://host:port`,
    );
  }
  const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
  if (url.protocol === 'https:' || url.protocol === 'http:')
    return httpSink(url, ca, options.headers ?? []);
  if (url.protocol === 'syslog+tls:' || url.protocol === 'syslog+tcp:') {
    if (!url.port) throw new Error(`--to ${to} needs a port (6514 is usual for syslog over TLS)`);
    return syslogSink(url, url.protocol === 'syslog+tls:', ca);
  }
  throw new Error(`--to ${to}: the scheme must be https, syslog+tls or syslog+tcp`);
}

function httpSink(url: URL, ca: string | undefined, headerLines: string[]): Sink {
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`--header "${line}" must be "Name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return {
    deliver: (batch) =>
      new Promise<void>((resolve, reject) => {
        const body = Buffer.from(`${batch.map((l) => l.text).join('\n')}\n`, 'utf8');
        const req = send(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(body.length) },
            timeout: 30_000,
            ...(ca ? { ca } : {}),
          },
          (res) => {
            res.resume();
            res.once('end', () =>
              (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300
                ? resolve()
                : reject(new Error(`${url.origin} answered ${res.statusCode}`)),
            );
            res.once('error', reject);
          },
        );
        req.once('timeout', () => req.destroy(new Error(`${url.origin} did not answer in 30 s`)));
        req.once('error', reject);
        req.end(body);
      }),
    close: () => {},
  };
}

/** RFC 5424 facility 13 (log audit); severity 6 (informational) or 4 (warning) for failures. */
const FACILITY_LOG_AUDIT = 13;

/** One RFC 5424 message, framed by octet counting (RFC 6587 §3.4.1). */
export function syslogFrame(line: StreamedLine, host: string): Buffer {
  const pri = FACILITY_LOG_AUDIT * 8 + (line.failed ? 4 : 6);
  const time =
    line.timeMs === undefined || Number.isNaN(line.timeMs)
      ? '-'
      : new Date(line.timeMs).toISOString();
  const message = Buffer.from(`<${pri}>1 ${time} ${host} evident - audit - ${line.text}`, 'utf8');
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

/**
 * Syslog over TCP has no acknowledgement, and bytes the kernel accepted are lost if the
 * receiver drops the connection. So each batch goes on its own connection, which we close
 * (FIN) after the last frame: the receiver closes its side only once it has read to the end,
 * and that orderly close is the acknowledgement.
 */
function syslogSink(url: URL, tls: boolean, ca: string | undefined): Sink {
  const host = hostname() || '-';
  const port = Number(url.port);
  return {
    deliver: (batch) =>
      new Promise<void>((resolve, reject) => {
        const s: Socket = tls
          ? tlsConnect({
              host: url.hostname,
              port,
              servername: url.hostname,
              ...(ca ? { ca } : {}),
            })
          : netConnect({ host: url.hostname, port });
        let peerEnded = false;
        let failure: Error | undefined;
        s.setTimeout(30_000, () =>
          s.destroy(new Error(`${url.host} did not close the connection in 30 s`)),
        );
        s.once(tls ? 'secureConnect' : 'connect', () => {
          s.end(Buffer.concat(batch.map((l) => syslogFrame(l, host))));
        });
        s.on('data', () => {});
        s.once('end', () => {
          peerEnded = true;
        });
        s.once('error', (error) => {
          failure = error;
        });
        s.once('close', () => {
          if (failure) reject(failure);
          else if (!peerEnded) reject(new Error(`${url.host} dropped the connection`));
          else resolve();
        });
      }),
    close: () => {},
  };
}
