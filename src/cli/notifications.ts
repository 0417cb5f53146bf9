import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSettingsFile } from '../monitor/notify/settings-file.js';
import { type ApiOptions, apiClient, withApiOptions } from './api-command.js';
import { parsePositiveInt } from './options.js';

interface DeliveryRow {
  id: string;
  status: string;
  channel: string;
  event: string;
  alert: { id: string; title: string; severity: string };
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  finished_at: string | null;
  last_error: string | null;
}

interface DeliveryPage {
  deliveries: DeliveryRow[];
  next_cursor: string | null;
}

interface TestResult {
  channel: string;
  type: string;
  ok: boolean;
  status?: number;
  error?: string;
  duration_ms: number;
}

/** `evident notifications …`: settings, test sends and dead letters, over the HTTP API. */
export function notificationsCommand(program: Command): void {
  const cmd = program
    .command('notifications')
    .description('alert notifications: webhooks and e-mail (docs/notifications.md)');

  withApiOptions(
    cmd.command('get').description('show the notification settings (never their secrets)'),
    false,
  ).action(async (opts: ApiOptions) => {
    const settings = await apiClient(opts).getJson('/api/v1/settings/notifications');
    console.log(JSON.stringify(settings, null, 2));
  });

  withApiOptions(
    cmd
      .command('set')
      .description('replace the notification settings with a YAML or JSON file (audited)')
      .argument('<file>', 'settings file; secrets left out are kept (or made, for new webhooks)'),
    false,
  ).action(async (file: string, opts: ApiOptions) => {
    const body = readSettingsFile(readFileSync(file, 'utf8'), file);
    const saved = await apiClient(opts).put<{
      version: number;
      channels: { id: string }[];
      generated_secrets: Record<string, string>;
    }>('/api/v1/settings/notifications', JSON.stringify(body), 'application/json');
    console.log(
      `Notification settings version ${saved.version}: ${saved.channels.length} channel(s).`,
    );
    const generated = Object.entries(saved.generated_secrets);
    if (generated.length > 0) {
      console.log('New webhook signing secrets (shown once; give each to its receiver):');
      for (const [id, secret] of generated) console.log(`  ${id}: ${secret}`);
    }
  });

  withApiOptions(
    cmd
      .command('test')
      .description('send a test notification now and say whether each channel took it')
      .option('-c, --channel <id>', 'only this channel'),
    false,
  ).action(async (opts: ApiOptions & { channel?: string }) => {
    const body = opts.channel === undefined ? {} : { channel: opts.channel };
    const { results } = await apiClient(opts).post<{ results: TestResult[] }>(
      '/api/v1/notifications/test',
      JSON.stringify(body),
      'application/json',
    );
    for (const r of results) {
      const detail = r.ok ? `ok${r.status ? ` (${r.status})` : ''}` : `FAILED: ${r.error}`;
      console.log(`${r.channel} (${r.type}): ${detail} in ${r.duration_ms} ms`);
    }
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  });

  const list = (status: string | undefined) => async (opts: ApiOptions & ListOptions) => {
    const path =
      status === 'dead' ? '/api/v1/notifications/dead-letters' : '/api/v1/notifications/deliveries';
    const page = await apiClient(opts).getJson<DeliveryPage>(path, {
      ...(status === 'dead' ? {} : { status: opts.status }),
      limit: opts.limit,
      cursor: opts.cursor,
    });
    if (opts.json) {
      for (const d of page.deliveries) console.log(JSON.stringify(d));
    } else if (page.deliveries.length > 0) {
      console.table(
        page.deliveries.map((d) => ({
          id: d.id,
          status: d.status,
          channel: d.channel,
          alert: `${d.alert.severity}: ${d.alert.title}`,
          attempts: d.attempts,
          when: d.finished_at ?? d.next_attempt_at ?? d.created_at,
          last_error: d.last_error ?? '',
        })),
      );
    }
    if (!opts.json) {
      console.error(
        page.deliveries.length === 0
          ? status === 'dead'
            ? 'No dead letters.'
            : 'No deliveries.'
          : `${page.deliveries.length} shown${page.next_cursor ? `; more with --cursor ${page.next_cursor}` : ''}.`,
      );
    }
  };

  withApiOptions(
    listOptions(cmd.command('deliveries').description('list deliveries, newest first')),
    false,
  )
    .option('-s, --status <status>', 'queued | delivered | dead', 'queued')
    .action(list(undefined));

  withApiOptions(
    listOptions(
      cmd
        .command('dead-letters')
        .description('list deliveries that ran out of attempts (replay them with `replay ID`)'),
    ),
    false,
  ).action(list('dead'));

  withApiOptions(
    cmd
      .command('replay')
      .description('queue a dead letter again for a fresh set of attempts (audited)')
      .argument('<id>', 'the delivery id shown by `dead-letters`'),
    false,
  ).action(async (id: string, opts: ApiOptions) => {
    const { delivery } = await apiClient(opts).post<{ delivery: DeliveryRow }>(
      `/api/v1/notifications/dead-letters/${encodeURIComponent(id)}/replay`,
      '{}',
      'application/json',
    );
    console.log(`Queued delivery ${delivery.id} to "${delivery.channel}" again.`);
  });
}

interface ListOptions {
  status?: string;
  limit: number;
  cursor?: string;
  json?: boolean;
}

function listOptions(command: Command): Command {
  return command
    .option('-n, --limit <n>', 'deliveries per page (max 500)', parsePositiveInt, 50)
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .option('--json', 'print NDJSON: one delivery per line');
}
