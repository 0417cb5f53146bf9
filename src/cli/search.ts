import type { Command } from 'commander';
import type { EventRecord } from '../core/record/types.js';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';
import { parsePositiveInt } from './options.js';

interface SearchOptions {
  actor?: string;
  action?: string;
  target?: string;
  targetType?: string;
  outcome?: string;
  source?: string;
  from?: string;
  to?: string;
  limit: number;
  all?: boolean;
  json?: boolean;
  url?: string;
  token?: string;
  data?: string;
}

interface SearchPage {
  entries: { seq: number; leaf_hash: string; record: EventRecord }[];
  next_cursor: string | null;
}

export function searchCommand(program: Command): void {
  program
    .command('search')
    .description(
      'search events, newest first (who accessed what, and when); the search itself is logged',
    )
    .option('--actor <id>', 'actor.id')
    .option('--action <action>', 'action, e.g. customer.read')
    .option('--target <id>', 'target.id')
    .option('--target-type <type>', 'target.type')
    .option('--outcome <outcome>', 'success | failure | denied | unknown')
    .option('--source <name>', 'source system')
    .option('--from <time>', 'received at or after (RFC 3339)')
    .option('--to <time>', 'received at or before (RFC 3339)')
    .option('-n, --limit <n>', 'events per page (max 1000)', parsePositiveInt, 50)
    .option('--all', 'follow pages until the end')
    .option('--json', 'print NDJSON: one {seq, leaf_hash, record} per line')
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: SearchOptions) => {
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      let cursor: string | undefined;
      let shown = 0;
      do {
        const page = await client.getJson<SearchPage>('/api/v1/events', {
          actor: opts.actor,
          action: opts.action,
          target: opts.target,
          target_type: opts.targetType,
          outcome: opts.outcome,
          source: opts.source,
          from: opts.from,
          to: opts.to,
          limit: opts.limit,
          cursor,
        });
        if (opts.json) {
          for (const e of page.entries) console.log(JSON.stringify(e));
        } else if (page.entries.length > 0) {
          console.table(page.entries.map(row));
        }
        shown += page.entries.length;
        cursor = page.next_cursor ?? undefined;
      } while (opts.all && cursor !== undefined);
      if (!opts.json) {
        console.error(
          shown === 0
            ? 'No events match.'
            : `${shown} event(s)${cursor ? '; more with --all or a larger --limit' : ''}.`,
        );
      }
    });
}

function row(entry: SearchPage['entries'][number]) {
  const r = entry.record;
  return {
    seq: entry.seq,
    received_at: r.received_at,
    source: r.source,
    actor: r.actor.name ? `${r.actor.id} (${r.actor.name})` : r.actor.id,
    action: r.action,
    target: r.target ? `${r.target.type ? `${r.target.type}:` : ''}${r.target.id}` : '',
    outcome: r.outcome,
  };
}
