import type { Command } from 'commander';
import type { EventRecord } from '../core/record/types.js';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';
import {
  addEventFilterOptions,
  type EventFilterOptions,
  eventFilterQuery,
} from './event-filters.js';
import { parsePositiveInt } from './options.js';

interface SearchOptions extends EventFilterOptions {
  limit: number;
  all?: boolean;
  json?: boolean;
  receivedAt?: boolean;
  url?: string;
  token?: string;
  data?: string;
}

interface SearchPage {
  entries: { seq: number; leaf_hash: string; record: EventRecord; flags?: string[] }[];
  next_cursor: string | null;
  order?: 'time' | 'received';
  never_matches?: string;
}

export function searchCommand(program: Command): void {
  const command = program
    .command('search')
    .description(
      'search events, newest first by event time (with --time-*) or by arrival; the search itself is logged',
    );
  addEventFilterOptions(command)
    .option('-n, --limit <n>', 'events per page (max 1000)', parsePositiveInt, 50)
    .option('--all', 'follow pages until the end')
    .option('--received-at', 'add the received_at column to the table')
    .option('--json', 'print NDJSON: one {seq, leaf_hash, record, flags?} per line')
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: SearchOptions) => {
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      const filters = eventFilterQuery(opts);
      let cursor: string | undefined;
      let shown = 0;
      let order: string | undefined;
      let neverMatches: string | undefined;
      do {
        const page = await client.getJson<SearchPage>('/api/v1/events', {
          ...filters,
          limit: opts.limit,
          cursor,
        });
        order = page.order;
        neverMatches = page.never_matches;
        if (opts.json) {
          for (const e of page.entries) console.log(JSON.stringify(e));
        } else if (page.entries.length > 0) {
          console.table(page.entries.map((e) => row(e, opts.receivedAt === true)));
        }
        shown += page.entries.length;
        cursor = page.next_cursor ?? undefined;
      } while (opts.all && cursor !== undefined);
      if (opts.json) return;
      const by = order === 'time' ? 'event time (time)' : 'arrival (received_at)';
      if (neverMatches !== undefined) console.error(`No events can match: ${neverMatches}.`);
      else if (shown === 0) console.error(`No events match (searched by ${by}).`);
      else
        console.error(
          `${shown} event(s), newest first by ${by}${cursor ? '; more with --all or a larger --limit' : ''}.`,
        );
    });
}

function row(entry: SearchPage['entries'][number], receivedAt: boolean) {
  const r = entry.record;
  return {
    seq: entry.seq,
    time: r.time,
    ...(receivedAt ? { received_at: r.received_at } : {}),
    actor: r.actor.name ? `${r.actor.id} (${r.actor.name})` : r.actor.id,
    action: r.action,
    target: r.target ? `${r.target.type ? `${r.target.type}:` : ''}${r.target.id}` : '',
    outcome: r.outcome,
    ip: r.actor.ip ?? '',
    source: r.source,
    flags: (entry.flags ?? []).join(' '),
  };
}
