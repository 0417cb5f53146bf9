import type { Command } from 'commander';
import { type ApiOptions, apiClient, withApiOptions } from './api-command.js';

interface HoldView {
  id: string;
  matter: string;
  reason: string;
  source: string | null;
  actor_id: string | null;
  target_id: string | null;
  from: string | null;
  to: string | null;
  placed_at: string;
  placed_by: string;
  released_at: string | null;
}

export function holdsCommand(program: Command): void {
  const holds = program
    .command('holds')
    .description('legal holds: held entries are never purged (over the HTTP API)');

  withApiOptions(holds.command('list').description('every hold, released ones too')).action(
    async (opts: ApiOptions) => {
      const answer = await apiClient(opts).getJson<{ holds: HoldView[] }>('/api/v1/holds');
      if (opts.json) {
        console.log(JSON.stringify(answer.holds, null, 2));
        return;
      }
      if (answer.holds.length === 0) {
        console.log(
          'No legal hold. Place one with `evident holds place --actor ID --matter M --reason R`.',
        );
        return;
      }
      console.table(
        answer.holds.map((h) => ({
          id: h.id,
          matter: h.matter,
          source: h.source ?? '*',
          actor: h.actor_id ?? '*',
          target: h.target_id ?? '*',
          from: h.from ?? '',
          to: h.to ?? '',
          placed: `${h.placed_at} by ${h.placed_by}`,
          released: h.released_at ?? 'live',
        })),
      );
    },
  );

  withApiOptions(
    holds
      .command('place')
      .description('hold the entries matching every criterion given (at least one)')
      .option('--source <name>', 'entries of this source')
      .option('--actor <id>', 'entries of this actor id')
      .option('--target <id>', 'entries with this target id')
      .option('--from <time>', 'entries received at or after (ISO 8601)')
      .option('--to <time>', 'entries received at or before (ISO 8601)')
      .requiredOption('--matter <text>', 'the matter (case, investigation) the hold is for')
      .requiredOption('--reason <text>', 'why (kept in the event)'),
  ).action(
    async (
      opts: ApiOptions & {
        source?: string;
        actor?: string;
        target?: string;
        from?: string;
        to?: string;
        matter: string;
        reason: string;
      },
    ) => {
      const body = {
        source: opts.source ?? null,
        actor_id: opts.actor ?? null,
        target_id: opts.target ?? null,
        from: opts.from ?? null,
        to: opts.to ?? null,
        matter: opts.matter,
        reason: opts.reason,
      };
      const answer = await apiClient(opts).post<{ hold: HoldView }>(
        '/api/v1/holds',
        JSON.stringify(body),
        'application/json',
      );
      if (opts.json) {
        console.log(JSON.stringify(answer.hold, null, 2));
        return;
      }
      console.log(`Legal hold ${answer.hold.id} placed (matter ${answer.hold.matter}).`);
    },
  );

  withApiOptions(
    holds
      .command('release')
      .description('ask to release a hold; a different person approves it')
      .argument('<id>', 'the hold')
      .option('--reason <text>', 'why (shown to the approver)'),
  ).action(async (id: string, opts: ApiOptions & { reason?: string }) => {
    const body = opts.reason === undefined ? {} : { reason: opts.reason };
    const answer = await apiClient(opts).post<{ approval: { id: string } }>(
      `/api/v1/holds/${encodeURIComponent(id)}/release`,
      JSON.stringify(body),
      'application/json',
    );
    if (opts.json) {
      console.log(JSON.stringify(answer.approval, null, 2));
      return;
    }
    console.log(
      `Request ${answer.approval.id} waits for a different person (\`evident approvals approve ${answer.approval.id}\`); the hold stays live until then.`,
    );
  });
}
