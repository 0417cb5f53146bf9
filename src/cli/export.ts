import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';
import {
  addEventFilterOptions,
  type EventFilterOptions,
  eventFilterQuery,
} from './event-filters.js';
import { startProgress } from './progress.js';

interface ExportOptions extends EventFilterOptions {
  format: string;
  out: string;
  url?: string;
  token?: string;
  data?: string;
}

export function exportCommand(program: Command): void {
  const command = program
    .command('export')
    .description(
      'export events for an auditor as CSV or NDJSON (same filters as search), each line provable; audited in the log',
    )
    .requiredOption('--format <format>', 'csv | ndjson')
    .requiredOption('-o, --out <file>', "file to write ('-' for stdout)");
  addEventFilterOptions(command)
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: ExportOptions) => {
      if (opts.format !== 'csv' && opts.format !== 'ndjson') {
        throw new Error(`--format must be csv or ndjson (got "${opts.format}")`);
      }
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      const response = await client.getResponse('/api/v1/events/export', {
        ...eventFilterQuery(opts),
        format: opts.format,
      });
      const toStdout = opts.out === '-';
      // Written beside the target and renamed at the end: a cut-short export never sits
      // under the name the user asked for.
      const partial = `${opts.out}.partial`;
      const out: Writable = toStdout ? process.stdout : createWriteStream(partial, { mode: 0o600 });
      const progress = startProgress('export', undefined, 'KiB');
      let bytes = 0;
      let tail = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (!out.write(chunk)) await once(out, 'drain');
          bytes += chunk.length;
          tail = (tail + Buffer.from(chunk).toString('utf8')).slice(-4096);
          progress.update(Math.floor(bytes / 1024));
        }
        if (!toStdout) {
          out.end();
          await once(out, 'finish');
        }
      } catch (error) {
        if (!toStdout) rmSync(partial, { force: true });
        throw error;
      } finally {
        progress.stop();
      }
      const trailer = readTrailer(tail, opts.format);
      if (!trailer) {
        if (!toStdout) rmSync(partial, { force: true });
        throw new Error('the export was cut short (no trailer line); run it again');
      }
      if (!toStdout) renameSync(partial, opts.out);
      const order = response.headers.get('evident-order') === 'time' ? 'event time' : 'arrival';
      console.error(
        `Exported ${trailer.count} event(s), newest first by ${order}, at tree size ${trailer.treeSize}` +
          `${toStdout ? '' : ` to ${opts.out}`}; the signed checkpoint is in the last line.`,
      );
    });
}

/** The trailer (docs/api.md, "Export"): NDJSON `{"trailer":…}` or the CSV `#trailer` row. */
function readTrailer(
  tail: string,
  format: string,
): { count: number; treeSize: number } | undefined {
  const lines = tail.split(/\r?\n/).filter((l) => l !== '');
  const last = lines[lines.length - 1] ?? '';
  if (format === 'ndjson') {
    try {
      const t = (JSON.parse(last) as { trailer?: { count: number; tree_size: number } }).trailer;
      return t ? { count: t.count, treeSize: t.tree_size } : undefined;
    } catch {
      return undefined;
    }
  }
  const m = /^#trailer,count=(\d+),tree_size=(\d+),checkpoint=/.exec(last);
  return m ? { count: Number(m[1]), treeSize: Number(m[2]) } : undefined;
}
