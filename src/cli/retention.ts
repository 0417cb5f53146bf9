import { type Command, InvalidArgumentError } from 'commander';
import { parsePeriod } from '../retention/period.js';
import { type ApiOptions, apiClient, withApiOptions } from './api-command.js';

interface PolicyView {
  source: string;
  min: string | null;
  max: string | null;
  archive: boolean;
  updated_at?: string;
  updated_by?: string;
}

/**
 * `12m`, `36m`, `90d` (or the ISO 8601 the API takes: P12M, P90D); `none` for no limit.
 * Checked before anything is sent.
 */
export function parsePeriodOption(value: string): string | null {
  if (value === 'none') return null;
  const short = /^([1-9][0-9]{0,5})([dm])$/i.exec(value);
  const iso = short ? `P${short[1]}${short[2]!.toUpperCase()}` : value.toUpperCase();
  if (!parsePeriod(iso)) {
    throw new InvalidArgumentError(
      `${value} is not a period: write whole days or months (90d, 12m, or P90D, P12M), or none`,
    );
  }
  return iso;
}

export function retentionCommand(program: Command): void {
  const retention = program
    .command('retention')
    .description(
      'retention policies per source: minimum and maximum on received_at (over the HTTP API)',
    );

  withApiOptions(
    retention.command('show').description('every policy, the default (*) first'),
  ).action(async (opts: ApiOptions) => {
    const { policies } = await apiClient(opts).getJson<{ policies: PolicyView[] }>(
      '/api/v1/retention',
    );
    if (opts.json) {
      console.log(JSON.stringify(policies, null, 2));
      return;
    }
    if (policies.length === 0) {
      console.log(
        'No policy: every event is kept forever. Set one with `evident retention set --source "*" --min 12m --max 36m`.',
      );
      return;
    }
    console.table(
      policies.map((p) => ({
        source: p.source,
        min: p.min ?? 'none',
        max: p.max ?? 'forever',
        archive: p.archive,
        updated_at: p.updated_at,
        updated_by: p.updated_by,
      })),
    );
  });

  withApiOptions(
    retention
      .command('set')
      .description(
        'set the policy of a source or the default (admin); shortening one waits for a second admin',
      )
      .requiredOption('--source <name>', 'a source name, or * for the default')
      .option(
        '--min <period>',
        'minimum retention, e.g. 12m, 400d (default: none)',
        parsePeriodOption,
      )
      .option('--max <period>', 'maximum retention, e.g. 36m (default: forever)', parsePeriodOption)
      .option('--archive', 'archive payloads before they are purged')
      .option('--reason <text>', 'why (kept in the event)'),
  ).action(
    async (
      opts: ApiOptions & {
        source: string;
        min?: string | null;
        max?: string | null;
        archive?: boolean;
        reason?: string;
      },
    ) => {
      const body = {
        source: opts.source,
        min: opts.min ?? null,
        max: opts.max ?? null,
        archive: opts.archive === true,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
      };
      const answer = await apiClient(opts).put<{
        policy?: PolicyView;
        approval?: { id: string };
        shortens?: string[];
      }>('/api/v1/retention', JSON.stringify(body), 'application/json');
      if (opts.json) {
        console.log(JSON.stringify(answer, null, 2));
        return;
      }
      if (answer.approval) {
        console.log(
          `This shortens the policy (${(answer.shortens ?? []).join('; ')}): request ${answer.approval.id} waits for a different admin (\`evident approvals approve ${answer.approval.id}\`).`,
        );
        return;
      }
      const p = answer.policy!;
      console.log(
        `Policy of ${p.source}: min ${p.min ?? 'none'}, max ${p.max ?? 'forever'}${p.archive ? ', archived before purge' : ''}.`,
      );
    },
  );
}
