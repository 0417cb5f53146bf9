import { type Command, InvalidArgumentError } from 'commander';
import { parseDurationSetting } from '../monitor/sources/settings.js';
import { type ApiOptions, apiClient, withApiOptions } from './api-command.js';
import { readableDuration } from './readable-duration.js';

/** One source as GET /api/v1/sources returns it (the fields the CLI shows). */
interface SourceView {
  name: string;
  origin: string;
  description: string | null;
  expected_max_silence: string | null;
  expected_max_silence_is_default: boolean;
  status: 'ok' | 'silent' | 'unmonitored';
  silent_since: string | null;
  last_event: { seq: number; received_at: string; time: string } | null;
  events: { total: number; last_hour: number; last_24h: number; per_minute_last_hour: number };
  clock_skew: {
    count: number;
    p50_ms: number | null;
    p95_ms: number | null;
    max_ms: number | null;
    beyond_threshold: number;
    threshold_ms: number;
  };
}

/** `--max-silence 15m` or `off`, checked before anything is sent. */
function parseMaxSilence(value: string): string | null {
  try {
    return parseDurationSetting(value, '--max-silence', { allowOff: true }) === null ? null : value;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function sourcesCommand(program: Command): void {
  const sources = program
    .command('sources')
    .description('expected sources: last event, rate, clock skew, silence (over the HTTP API)');

  withApiOptions(sources.command('list').description('every source you may see')).action(
    async (opts: ApiOptions) => {
      const { sources: list } = await apiClient(opts).getJson<{ sources: SourceView[] }>(
        '/api/v1/sources',
      );
      if (opts.json) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      if (list.length === 0) {
        console.log(
          'No sources yet. They appear with their first event or ingest key, or declare one with `evident sources declare NAME`.',
        );
        return;
      }
      console.table(list.map(row));
      const silent = list.filter((s) => s.status === 'silent').length;
      if (silent > 0) console.error(`${silent} source(s) silent.`);
    },
  );

  withApiOptions(
    sources.command('show').description('one source in detail').argument('<name>', 'source name'),
  ).action(async (name: string, opts: ApiOptions) => {
    const view = await apiClient(opts).getJson<SourceView>(
      `/api/v1/sources/${encodeURIComponent(name)}`,
    );
    console.log(opts.json ? JSON.stringify(view, null, 2) : describe(view));
  });

  withApiOptions(
    sources
      .command('declare')
      .description(
        'declare an expected source and how long it may stay quiet (admin); replaces its settings',
      )
      .argument('<name>', 'source name, e.g. billing-api')
      .option(
        '--max-silence <duration>',
        "longest quiet spell before a 'source silent' alert, e.g. 15m, 2h; 'off' to not monitor (default: the server's)",
        parseMaxSilence,
      )
      .option('--description <text>', 'what the source is, for whoever reads the list'),
  ).action(
    async (
      name: string,
      opts: ApiOptions & { maxSilence?: string | null; description?: string },
    ) => {
      const body = {
        ...(opts.maxSilence === undefined ? {} : { expected_max_silence: opts.maxSilence }),
        ...(opts.description === undefined ? {} : { description: opts.description }),
      };
      const view = await apiClient(opts).put<SourceView>(
        `/api/v1/sources/${encodeURIComponent(name)}`,
        JSON.stringify(body),
        'application/json',
      );
      console.log(opts.json ? JSON.stringify(view, null, 2) : describe(view));
    },
  );
}

function row(s: SourceView) {
  return {
    name: s.name,
    status: s.status,
    last_event: s.last_event?.received_at ?? '',
    last_hour: s.events.last_hour,
    last_24h: s.events.last_24h,
    skew_p95: s.clock_skew.p95_ms === null ? '' : readableDuration(s.clock_skew.p95_ms),
    skewed: s.clock_skew.beyond_threshold,
    max_silence: s.expected_max_silence ?? 'off',
  };
}

function describe(s: SourceView): string {
  const silence =
    s.expected_max_silence === null
      ? 'not monitored'
      : `${s.expected_max_silence}${s.expected_max_silence_is_default ? ' (server default)' : ''}`;
  const skew = s.clock_skew;
  return [
    `source        ${s.name} (${s.origin})${s.description ? ` — ${s.description}` : ''}`,
    `status        ${s.status}${s.silent_since ? ` since ${s.silent_since}` : ''}`,
    `max silence   ${silence}`,
    `last event    ${s.last_event ? `seq ${s.last_event.seq} received ${s.last_event.received_at} (source time ${s.last_event.time})` : 'none yet'}`,
    `events        ${s.events.total} total, ${s.events.last_hour} in the last hour, ${s.events.last_24h} in the last 24 h`,
    `clock skew    ${skew.count === 0 ? 'no data' : describeSkew(skew)}`,
  ].join('\n');
}

/** Positive skew: the source's clock is behind the server's; the JSON keeps exact ms. */
function describeSkew(skew: SourceView['clock_skew']): string {
  const at = (ms: number | null) => (ms === null ? '?' : readableDuration(ms));
  return `p50 ${at(skew.p50_ms)}, p95 ${at(skew.p95_ms)}, max ${at(skew.max_ms)} (source clock behind when positive); ${skew.beyond_threshold} beyond ${readableDuration(skew.threshold_ms)}`;
}
