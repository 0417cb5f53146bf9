import type { Command } from 'commander';
import { forward } from '../connect/forward/forwarder.js';
import { openSink } from '../connect/forward/sinks.js';
import { STREAM_FORMATS, type StreamFormat } from '../connect/siem/stream-format.js';
import { apiUrl, parsePositiveInt } from './options.js';

interface ForwardCliOptions {
  to: string;
  cursor: string;
  format: string;
  url?: string;
  token?: string;
  ca?: string;
  header: string[];
  batchSize: number;
}

export function forwardCommand(program: Command): void {
  program
    .command('forward')
    .description(
      'follow the log and deliver it to a SIEM (HTTPS collector or syslog), at least once, resuming from a durable cursor',
    )
    .requiredOption(
      '--to <url>',
      'receiver: https://host/path (NDJSON POSTs), syslog+tls://host:port or syslog+tcp://host:port (RFC 5424, octet-counted)',
    )
    .requiredOption(
      '--cursor <file>',
      'file holding the last seq the receiver acknowledged (created if absent; resumes from it)',
    )
    .option('-f, --format <format>', `line format: ${STREAM_FORMATS.join(' | ')}`, 'ocsf')
    .option('-u, --url <url>', 'Evident server URL (env EVIDENT_URL)')
    .option(
      '--token <token>',
      'API token with events.export, e.g. an auditor service (env EVIDENT_TOKEN)',
    )
    .option('--ca <file>', "PEM file of CAs to trust for the receiver's TLS certificate")
    .option(
      '-H, --header <header>',
      'extra HTTP header for an https receiver, "Name: value" (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option('-b, --batch-size <n>', 'entries per delivery at most', parsePositiveInt, 500)
    .action(async (opts: ForwardCliOptions) => {
      if (!(STREAM_FORMATS as readonly string[]).includes(opts.format)) {
        throw new Error(`--format must be one of ${STREAM_FORMATS.join(', ')}`);
      }
      const token = opts.token ?? process.env.EVIDENT_TOKEN;
      if (!token) {
        throw new Error('no token: pass --token or set EVIDENT_TOKEN (it needs events.export)');
      }
      const sink = openSink(opts.to, {
        ...(opts.ca ? { caFile: opts.ca } : {}),
        headers: opts.header,
      });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await forward({
          url: apiUrl(opts.url),
          token,
          format: opts.format as StreamFormat,
          cursorPath: opts.cursor,
          sink,
          batchSize: opts.batchSize,
          signal: stop.signal,
          log: (message) => console.error(`evident forward: ${message}`),
        });
      } finally {
        sink.close();
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
