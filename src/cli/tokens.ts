import type { Command } from 'commander';
import { type ApiOptions, apiClient, jsonBody, withApiOptions } from './api-command.js';
import { parsePositiveInt } from './options.js';
import { resolvePrincipal } from './principals.js';

interface TokenView {
  id: string;
  principal_id: string;
  label: string | null;
  roles: string[] | null;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  created_by: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function tokensCommand(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens: your own, or a service principal’s (over the HTTP API)');

  withApiOptions(
    tokens
      .command('create')
      .description(
        'make an API token, printed once on standard output; store it now, it cannot be shown again',
      )
      .option('--label <text>', 'what the token is for, e.g. the machine it lives on')
      .option(
        '--role <role>',
        'limit the token to this role (repeatable); default: every role the caller holds',
        collect,
      )
      .option('--expires-in-days <n>', 'lifetime in days, 1–366 (default 90)', parsePositiveInt)
      .option('--for <principal>', 'a service principal (id or name) instead of yourself; admins'),
  ).action(
    async (
      opts: ApiOptions & { label?: string; role?: string[]; expiresInDays?: number; for?: string },
    ) => {
      const client = apiClient(opts);
      const body = {
        ...(opts.label === undefined ? {} : { label: opts.label }),
        ...(opts.role === undefined ? {} : { roles: opts.role }),
        ...(opts.expiresInDays === undefined ? {} : { expires_in_days: opts.expiresInDays }),
      };
      const path = opts.for
        ? `/api/v1/principals/${encodeURIComponent((await resolvePrincipal(client, opts.for)).id)}/tokens`
        : '/api/v1/tokens';
      const made = await client.post<TokenView & { token: string; approval?: { id: string } }>(
        path,
        ...jsonBody(body),
      );
      if (opts.json) {
        console.log(JSON.stringify(made, null, 2));
        return;
      }
      console.log(made.token);
      console.error(
        `Token ${made.id} (${made.roles?.join(', ') || 'no roles'}) expires ${made.expires_at}. It is shown only now.`,
      );
      if (made.approval) {
        console.error(
          `It reads events, so it works only once a second admin approves request ${made.approval.id} (\`evident approvals approve ${made.approval.id}\`).`,
        );
      }
    },
  );

  withApiOptions(
    tokens
      .command('list')
      .description('your tokens, or a principal’s with --for (admins)')
      .option('--for <principal>', 'a principal (id or name)'),
  ).action(async (opts: ApiOptions & { for?: string }) => {
    const client = apiClient(opts);
    const path = opts.for
      ? `/api/v1/principals/${encodeURIComponent((await resolvePrincipal(client, opts.for)).id)}/tokens`
      : '/api/v1/tokens';
    const { tokens: list } = await client.getJson<{ tokens: TokenView[] }>(path);
    if (opts.json) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    if (list.length === 0) {
      console.log('No tokens. Make one with `evident tokens create`.');
      return;
    }
    console.table(
      list.map((t) => ({
        id: t.id,
        label: t.label ?? '',
        roles: t.roles?.join(' ') ?? 'all',
        status: t.status,
        expires_at: t.expires_at,
      })),
    );
  });

  withApiOptions(
    tokens
      .command('revoke')
      .description('revoke a token at once (yours, or anyone’s for admins)')
      .argument('<id>', 'token id (the 16 hex digits after evt_)'),
  ).action(async (id: string, opts: ApiOptions) => {
    const revoked = await apiClient(opts).delete<TokenView>(
      `/api/v1/tokens/${encodeURIComponent(id)}`,
    );
    if (opts.json) console.log(JSON.stringify(revoked, null, 2));
    else console.log(`Token ${revoked.id} revoked at ${revoked.revoked_at}.`);
  });
}
