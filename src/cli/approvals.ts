import { type Command, Option } from 'commander';
import { type ApiOptions, apiClient, jsonBody, withApiOptions } from './api-command.js';
import type { ApprovalView, PrincipalView } from './principals.js';
import { rolesText } from './principals.js';

export function approvalsCommand(program: Command): void {
  const approvals = program
    .command('approvals')
    .description(
      'four-eyes requests (admin grants, reading roles for principals an admin controls, a shortened retention policy, a legal hold release): a different admin approves (over the HTTP API)',
    );

  withApiOptions(
    approvals
      .command('list')
      .description('requests, newest first (default: pending)')
      .addOption(
        new Option('--status <status>', 'which requests')
          .choices(['pending', 'approved', 'rejected', 'expired', 'all'])
          .default('pending'),
      ),
  ).action(async (opts: ApiOptions & { status: string }) => {
    const { approvals: list } = await apiClient(opts).getJson<{ approvals: ApprovalView[] }>(
      '/api/v1/approvals',
      { status: opts.status },
    );
    if (opts.json) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    if (list.length === 0) {
      console.log(`No ${opts.status === 'all' ? '' : `${opts.status} `}requests.`);
      return;
    }
    console.table(
      list.map((a) => ({
        id: a.id,
        change: a.change,
        subject: a.subject.name,
        requested_by: a.requested_by.name,
        requested_at: a.requested_at,
        status: a.status,
        reason: a.reason ?? '',
      })),
    );
  });

  const decide = (verb: 'approve' | 'reject', description: string) =>
    withApiOptions(
      approvals
        .command(verb)
        .description(description)
        .argument('<id>', 'request id')
        .option('--reason <text>', 'why, recorded with the decision'),
    ).action(async (id: string, opts: ApiOptions & { reason?: string }) => {
      const decided = await apiClient(opts).post<{
        approval: ApprovalView;
        principal?: PrincipalView | null;
      }>(
        `/api/v1/approvals/${encodeURIComponent(id)}/${verb}`,
        ...jsonBody(opts.reason ? { reason: opts.reason } : {}),
      );
      if (opts.json) {
        console.log(JSON.stringify(decided, null, 2));
        return;
      }
      const a = decided.approval;
      console.log(`Request ${a.id} (${a.change} for ${a.subject.name}) ${a.status}.`);
      if (decided.principal) {
        console.log(
          `${decided.principal.name} now holds: ${rolesText(decided.principal.roles) || '(none)'}`,
        );
      }
    });

  decide('approve', 'approve a request and apply it (not your own request, not about yourself)');
  decide('reject', 'reject a request, or withdraw your own');

  withApiOptions(
    approvals
      .command('reader-grants')
      .description(
        'show, or turn on or off, four-eyes for reading roles given to principals an admin controls (off: one-admin installs only; audited)',
      )
      .argument('[state]', 'on or off; absent: show'),
  ).action(async (state: string | undefined, opts: ApiOptions) => {
    const client = apiClient(opts);
    const path = '/api/v1/settings/four-eyes';
    const settings =
      state === undefined
        ? await client.getJson<FourEyesView>(path)
        : await client.put<FourEyesView>(path, ...jsonBody({ reader_grants: state }));
    if (opts.json) {
      console.log(JSON.stringify(settings, null, 2));
      return;
    }
    console.log(
      `Four-eyes for reader grants: ${settings.reader_grants}` +
        (settings.changed_by ? ` (set by ${settings.changed_by} at ${settings.changed_at})` : ''),
    );
  });
}

interface FourEyesView {
  reader_grants: 'on' | 'off';
  changed_by: string | null;
  changed_at: string | null;
}
