import type { Command } from 'commander';
import { REPORT_KINDS } from '../evidence/report-service.js';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';
import { download } from './download.js';

interface ReportOptions {
  from: string;
  to: string;
  person?: string;
  target?: string;
  source?: string;
  format: string;
  out: string;
  url?: string;
  token?: string;
  data?: string;
}

const FORMATS = ['json', 'csv', 'pdf'];

/** `evident report <kind>`: one report of a period from the server (docs/reports.md). */
export function reportCommand(program: Command): void {
  program
    .command('report <kind>')
    .description(
      `one report of a period as JSON, CSV or PDF, computed from the log as of one checkpoint and stating it; kinds: ${REPORT_KINDS.join(', ')}; audited in the log`,
    )
    .requiredOption('--from <date>', 'first day (UTC, 2026-01-01) or RFC 3339 time of the period')
    .requiredOption('--to <date>', 'last day (UTC, inclusive) or RFC 3339 time (exclusive)')
    .option('--person <actor>', 'only events by this actor (id or name; access, access-changes)')
    .option('--target <target>', 'only events on this target (id or name; access, access-changes)')
    .option('--source <source>', 'only events about this source')
    .option('--format <format>', 'json | csv | pdf', 'json')
    .requiredOption('-o, --out <file>', "file to write ('-' for stdout)")
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (kind: string, opts: ReportOptions) => {
      if (!(REPORT_KINDS as readonly string[]).includes(kind))
        throw new Error(`there is no report "${kind}"; the kinds are ${REPORT_KINDS.join(', ')}`);
      if (!FORMATS.includes(opts.format))
        throw new Error(`--format must be json, csv or pdf (got "${opts.format}")`);
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      const response = await client.getResponse(`/api/v1/reports/${kind}`, {
        from: opts.from,
        to: opts.to,
        person: opts.person,
        target: opts.target,
        source: opts.source,
        format: opts.format,
      });
      const bytes = await download(response, opts.out);
      const size = response.headers.get('evident-tree-size');
      console.error(
        `Wrote the ${kind} report (${bytes} bytes)${opts.out === '-' ? '' : ` to ${opts.out}`}, computed from the log as of the checkpoint of tree size ${size}.`,
      );
    });
}
