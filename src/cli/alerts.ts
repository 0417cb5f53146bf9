import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { ALERT_SEVERITIES, ALERT_STATES, DISPOSITIONS } from '../monitor/types.js';
import { type ApiOptions, apiClient, withApiOptions } from './api-command.js';
import { parsePositiveInt } from './options.js';

/** An alert as the API shows it (the fields the CLI prints). */
interface AlertView {
  id: string;
  rule_id: string;
  title: string;
  description?: string;
  severity: string;
  state: string;
  sources: string[];
  seqs: number[];
  seq_count: number;
  raised_at: string;
  raise_seq: number | null;
  assignee: string | null;
  assignee_name?: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolution: { disposition: string; note: string; by: string } | null;
  history?: {
    action: string;
    at: string;
    by: { id: string; type: string; name?: string };
    seq: number | null;
    to: string;
    disposition?: string;
    note?: string;
    assignee?: string | null;
    assignee_name?: string | null;
    text?: string;
  }[];
}

interface Times {
  alerts: number;
  open: number;
  acknowledged: number;
  resolved: number;
  responded: number;
  mean_time_to_acknowledge_ms: number | null;
  mean_time_to_resolve_ms: number | null;
}

interface FilterOptions extends ApiOptions {
  state?: string;
  severity?: string;
  rule?: string;
  source?: string;
  group?: string;
  assignee?: string;
  from?: string;
  to?: string;
}

function withFilters(command: Command): Command {
  command
    .addOption(new Option('--state <state>', 'only this state').choices([...ALERT_STATES]))
    .addOption(
      new Option('--severity <level>', 'only this severity').choices([...ALERT_SEVERITIES]),
    )
    .option('--rule <id>', 'only this rule')
    .option('--source <name>', 'only alerts with this source')
    .option('--group <field=value>', 'only alerts whose rule grouped by this, e.g. actor.id=u-1')
    .option('--assignee <account>', 'only alerts assigned to this account (sign-in name or id)')
    .option('--from <time>', 'raised at or after (RFC 3339)')
    .option('--to <time>', 'raised at or before (RFC 3339)');
  return command;
}

function filterQuery(opts: FilterOptions): Record<string, string | undefined> {
  return {
    state: opts.state,
    severity: opts.severity,
    rule: opts.rule,
    source: opts.source,
    group: opts.group,
    assignee: opts.assignee,
    from: opts.from,
    to: opts.to,
  };
}

const path = (id: string, step = '') =>
  `/api/v1/alerts/${encodeURIComponent(id)}${step ? `/${step}` : ''}`;

export function alertsCommand(program: Command): void {
  const alerts = program
    .command('alerts')
    .description(
      'alerts and their handling: list, acknowledge, resolve with a disposition (over the HTTP API); every step is logged',
    );

  withApiOptions(
    withFilters(alerts.command('list').description('alerts, newest first'))
      .option('-n, --limit <n>', 'alerts per page (max 500)', parsePositiveInt, 50)
      .option('--all', 'follow pages until the end'),
  ).action(async (opts: FilterOptions & { limit: number; all?: boolean }) => {
    const api = apiClient(opts);
    let cursor: string | undefined;
    const shown: AlertView[] = [];
    do {
      const page = await api.getJson<{ alerts: AlertView[]; next_cursor: string | null }>(
        '/api/v1/alerts',
        { ...filterQuery(opts), limit: opts.limit, cursor },
      );
      shown.push(...page.alerts);
      cursor = page.next_cursor ?? undefined;
    } while (opts.all && cursor !== undefined);
    if (opts.json) {
      for (const a of shown) console.log(JSON.stringify(a));
      return;
    }
    if (shown.length > 0) console.table(shown.map(row));
    console.error(
      shown.length === 0
        ? `No alerts match.${cursor ? ' More may follow: use --all.' : ''}`
        : `${shown.length} alert(s)${cursor ? '; more with --all' : ''}.`,
    );
  });

  withApiOptions(
    alerts.command('show').description('one alert with its handling history').argument('<id>'),
  ).action(async (id: string, opts: ApiOptions) => {
    const alert = await apiClient(opts).getJson<AlertView>(path(id));
    console.log(opts.json ? JSON.stringify(alert, null, 2) : describe(alert));
  });

  const step = async (id: string, name: string, body: unknown, opts: ApiOptions) => {
    const alert = await apiClient(opts).post<AlertView>(
      path(id, name),
      JSON.stringify(body),
      'application/json',
    );
    console.log(opts.json ? JSON.stringify(alert, null, 2) : describe(alert));
  };

  withApiOptions(
    withBulk(
      alerts
        .command('ack')
        .description(
          'acknowledge an open alert, or with --all every alert the filters match (reviewer)',
        )
        .argument('[id]'),
    ),
  ).action((id: string | undefined, opts: BulkOptions) =>
    id === undefined || opts.all
      ? bulk(id, 'acknowledge', {}, opts)
      : step(single(id, opts), 'acknowledge', {}, opts),
  );

  withApiOptions(
    withBulk(
      alerts
        .command('resolve')
        .description(
          'resolve an alert, or with --all every alert the filters match, with a disposition and a note (reviewer)',
        )
        .argument('[id]')
        .addOption(
          new Option('--disposition <disposition>', 'the outcome')
            .choices([...DISPOSITIONS])
            .makeOptionMandatory(),
        )
        .requiredOption('--note <text>', 'why it is resolved and what was done'),
    ),
  ).action((id: string | undefined, opts: BulkOptions & { disposition: string; note: string }) => {
    const body = { disposition: opts.disposition, note: opts.note };
    return id === undefined || opts.all
      ? bulk(id, 'resolve', body, opts)
      : step(single(id, opts), 'resolve', body, opts);
  });

  withApiOptions(
    alerts
      .command('reopen')
      .description('reopen a resolved alert (reviewer)')
      .argument('<id>')
      .requiredOption('--note <text>', 'why it needs handling again'),
  ).action((id: string, opts: ApiOptions & { note: string }) =>
    step(id, 'reopen', { note: opts.note }, opts),
  );

  withApiOptions(
    alerts
      .command('assign')
      .description("assign an alert to an account (id or sign-in name); 'none' unassigns")
      .argument('<id>')
      .argument('<assignee>'),
  ).action((id: string, assignee: string, opts: ApiOptions) =>
    step(id, 'assign', { assignee: assignee === 'none' ? null : assignee }, opts),
  );

  withApiOptions(
    alerts
      .command('comment')
      .description('comment on an alert')
      .argument('<id>')
      .argument('<text>'),
  ).action((id: string, text: string, opts: ApiOptions) => step(id, 'comments', { text }, opts));

  withApiOptions(
    withFilters(
      alerts
        .command('export')
        .description('every matching alert, oldest first, as NDJSON or CSV (the export is logged)'),
    )
      .addOption(
        new Option('--format <format>', 'file format').choices(['ndjson', 'csv']).default('ndjson'),
      )
      .option('-o, --output <file>', 'write to a file instead of standard output'),
    false,
  ).action(async (opts: FilterOptions & { format: string; output?: string }) => {
    const body = await apiClient(opts).getText('/api/v1/alerts/export', {
      ...filterQuery(opts),
      format: opts.format,
    });
    if (opts.output) {
      writeFileSync(opts.output, body);
      console.error(`Wrote ${opts.output}.`);
    } else {
      process.stdout.write(body);
    }
  });

  withApiOptions(
    alerts
      .command('metrics')
      .description('mean time to acknowledge and to resolve, overall and per severity')
      .option('--from <time>', 'alerts raised at or after (RFC 3339)')
      .option('--to <time>', 'alerts raised at or before (RFC 3339)')
      .option('--rule <id>', 'only this rule')
      .option('--source <name>', 'only alerts with this source'),
  ).action(async (opts: FilterOptions) => {
    const metrics = await apiClient(opts).getJson<{
      from: string | null;
      to: string | null;
      overall: Times;
      by_severity: Record<string, Times>;
      dispositions: Record<string, number>;
    }>('/api/v1/alerts/metrics', {
      from: opts.from,
      to: opts.to,
      rule: opts.rule,
      source: opts.source,
    });
    if (opts.json) {
      console.log(JSON.stringify(metrics, null, 2));
      return;
    }
    console.log(`alerts raised ${metrics.from ?? 'from the start'} to ${metrics.to ?? 'now'}`);
    console.table(
      Object.fromEntries([
        ['all', timesRow(metrics.overall)],
        ...Object.entries(metrics.by_severity).map(([s, t]) => [s, timesRow(t)]),
      ]),
    );
    const dispositions = Object.entries(metrics.dispositions)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    console.log(`dispositions: ${dispositions}`);
  });
}

interface BulkOptions extends FilterOptions {
  all?: boolean;
  dryRun?: boolean;
  max?: number;
}

interface BulkAnswer {
  matched: number;
  changed?: number;
  would_change?: number;
  already: number;
  refused: number;
  refusals: { id: string; reason: string }[];
}

function withBulk(command: Command): Command {
  return withFilters(command)
    .option('--all', 'every alert the filter options match (at least one), instead of one id')
    .option('--dry-run', 'with --all: only count what would change')
    .option(
      '--max <n>',
      'with --all: refuse if more than this many match (default 200, at most 1000)',
      parsePositiveInt,
    );
}

/** One alert by id: filters and bulk flags would be silently ignored, so they are refused. */
function single(id: string, opts: BulkOptions): string {
  const filters = Object.values(filterQuery(opts)).some((v) => v !== undefined);
  if (filters || opts.dryRun || opts.max !== undefined) {
    throw new Error(
      'filters, --dry-run and --max go with --all; to act on one alert give only its id',
    );
  }
  return id;
}

/** `--all`: one request for every match; each alert still takes (and logs) its own step. */
async function bulk(
  id: string | undefined,
  action: 'acknowledge' | 'resolve',
  body: Record<string, string>,
  opts: BulkOptions,
): Promise<void> {
  if (id !== undefined) {
    throw new Error('give an alert id or --all with filters, not both');
  }
  if (!opts.all) {
    throw new Error(
      'name the alert (its id), or use --all with filters such as --rule or --source',
    );
  }
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filterQuery(opts))) if (v !== undefined) query.set(k, v);
  if ([...query.keys()].length === 0) {
    throw new Error(
      '--all needs at least one filter (--rule, --source, --group, --state, --severity, --assignee, --from, --to); --state open takes every open alert',
    );
  }
  const answer = await apiClient(opts).post<BulkAnswer>(
    `/api/v1/alerts/bulk?${query}`,
    JSON.stringify({
      action,
      ...body,
      ...(opts.dryRun ? { dry_run: true } : {}),
      ...(opts.max !== undefined ? { max: opts.max } : {}),
    }),
    'application/json',
  );
  if (opts.json) {
    console.log(JSON.stringify(answer, null, 2));
    return;
  }
  const verb = action === 'acknowledge' ? 'acknowledged' : 'resolved';
  console.log(
    opts.dryRun
      ? `${answer.matched} alert(s) match: ${answer.would_change} would be ${verb}, ${answer.already} already ${verb}, ${answer.refused} cannot be (dry run: nothing changed).`
      : `${answer.matched} alert(s) matched: ${answer.changed} ${verb} now, ${answer.already} already ${verb}, ${answer.refused} refused.`,
  );
  for (const r of answer.refusals) console.log(`  refused ${r.id}: ${r.reason}`);
}

function row(a: AlertView) {
  return {
    id: a.id,
    raised_at: a.raised_at,
    severity: a.severity,
    state: a.state,
    rule: a.rule_id,
    title: a.title.length > 60 ? `${a.title.slice(0, 59)}…` : a.title,
    sources: a.sources.join(','),
    assignee: a.assignee_name ?? a.assignee ?? '',
  };
}

function timesRow(t: Times) {
  return {
    alerts: t.alerts,
    open: t.open,
    acknowledged: t.acknowledged,
    resolved: t.resolved,
    'mean to ack': duration(t.mean_time_to_acknowledge_ms),
    'mean to resolve': duration(t.mean_time_to_resolve_ms),
  };
}

/** Milliseconds as `1h 02m 03s`, or `-` without data. */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  return m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
}

function describe(a: AlertView): string {
  const lines = [
    `alert        ${a.id} (${a.severity}, ${a.state})`,
    `rule         ${a.rule_id}: ${a.title}`,
    ...(a.description ? [`description  ${a.description}`] : []),
    `sources      ${a.sources.join(', ') || '-'}`,
    `entries      ${a.seq_count} (seqs ${a.seqs.slice(0, 10).join(', ')}${a.seq_count > 10 ? ', …' : ''})`,
    `raised       ${a.raised_at} (log seq ${a.raise_seq ?? 'pending'})`,
    `assignee     ${person(a.assignee, a.assignee_name)}`,
  ];
  if (a.resolution) {
    lines.push(
      `resolution   ${a.resolution.disposition} by ${a.resolution.by} at ${a.resolved_at}: ${a.resolution.note}`,
    );
  }
  if (a.history) {
    lines.push('history');
    for (const h of a.history) {
      const what =
        h.action === 'resolve'
          ? `${h.disposition}: ${h.note}`
          : h.action === 'reopen'
            ? (h.note ?? '')
            : h.action === 'assign'
              ? `to ${h.assignee ? person(h.assignee, h.assignee_name) : 'nobody'}`
              : h.action === 'comment'
                ? (h.text ?? '')
                : `→ ${h.to}`;
      lines.push(
        `  ${h.at}  seq ${h.seq ?? 'pending'}  ${h.action.padEnd(11)} ${h.by.name ?? h.by.id}  ${what}`,
      );
    }
  }
  return lines.join('\n');
}

/** An account as people know it: its name, with the id beside it. */
function person(id: string | null, name: string | null | undefined): string {
  if (id === null) return '-';
  return name ? `${name} (${id})` : id;
}
