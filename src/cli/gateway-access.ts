import type { Command } from 'commander';
import { type ApiOptions, apiClient, jsonBody, withApiOptions } from './api-command.js';

interface CredentialView {
  id: string;
  principal_id: string;
  label: string | null;
  status: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

interface GrantView {
  id: string;
  person?: string;
  role?: string;
  database: string;
  upstream_role: string;
  created_at: string;
}

/**
 * Options of the parent `evident gateway` (its --url, for one) are also recognised after a
 * subcommand, so the API options are read with the parent's merged in.
 */
export function apiOptions(command: Command): ApiOptions {
  return command.optsWithGlobals<ApiOptions>();
}

/** Your own credential, minted by the server you signed in to (`evident login`). */
export async function mintOwn(
  opts: ApiOptions & { expiresInHours: number; label?: string },
): Promise<void> {
  const made = await apiClient(opts).post<CredentialView & { secret: string; user: string }>(
    '/api/v1/gateway/credentials',
    ...jsonBody({
      expires_in_hours: opts.expiresInHours,
      ...(opts.label === undefined ? {} : { label: opts.label }),
    }),
  );
  if (opts.json) {
    console.log(JSON.stringify(made, null, 2));
    return;
  }
  console.log(made.secret);
  console.error(
    `Gateway credential ${made.id} for ${made.user}, expires ${made.expires_at}. The secret is shown only now. Connect: PGPASSWORD='…' psql "host=… port=6432 user=${made.user} dbname=…"`,
  );
}

/** Revokes a credential by id: your own, or anyone's for an admin. */
export async function revokeById(opts: ApiOptions, id: string): Promise<void> {
  const revoked = await apiClient(opts).delete<CredentialView>(
    `/api/v1/gateway/credentials/${encodeURIComponent(id)}`,
  );
  console.log(
    `Revoked gateway credential ${revoked.id}; its sessions end before their next statement.`,
  );
}

export function listCredentials(credentials: Command): void {
  withApiOptions(
    credentials
      .command('list')
      .description('your gateway credentials, or everyone’s with --all (admins)')
      .option('--all', 'every person’s (gateway.manage)'),
  ).action(async (_opts: unknown, command: Command) => {
    const opts = apiOptions(command) as ApiOptions & { all?: boolean };
    const path = opts.all ? '/api/v1/gateway/credentials/all' : '/api/v1/gateway/credentials';
    const { credentials: list } = await apiClient(opts).getJson<{
      credentials: CredentialView[];
    }>(path);
    if (opts.json) console.log(JSON.stringify(list, null, 2));
    else if (list.length === 0) console.log('No gateway credentials.');
    else
      console.table(
        list.map((c) => ({
          id: c.id,
          person: c.principal_id,
          label: c.label ?? '',
          status: c.status,
          expires_at: c.expires_at,
        })),
      );
  });
}

/** `evident gateway grants list|add|remove`: the policy, for admins. */
export function grantsCommand(gateway: Command): void {
  const grants = gateway
    .command('grants')
    .description(
      'who may reach which database as which upstream role, through the gateway (admins; over the HTTP API)',
    );
  withApiOptions(grants.command('list').description('every grant')).action(
    async (_opts: unknown, command: Command) => {
      const opts = apiOptions(command);
      const { grants: list } = await apiClient(opts).getJson<{ grants: GrantView[] }>(
        '/api/v1/gateway/grants',
      );
      if (opts.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0)
        console.log('No grants: nobody reaches a database through a server-synced gateway.');
      else
        console.table(
          list.map((g) => ({
            id: g.id,
            who: g.person ? `person ${g.person}` : `role ${g.role}`,
            database: g.database,
            upstream_role: g.upstream_role,
          })),
        );
    },
  );
  withApiOptions(
    grants
      .command('add')
      .description('let a person, or everyone holding a role, reach a database as an upstream role')
      .option('--person <person>', 'a person (account id or name)')
      .option('--role <role>', 'an Evident role (admin, auditor, reviewer, gateway)')
      .requiredOption('--database <name>', 'the database, as clients name it')
      .requiredOption('--upstream-role <role>', "the gateway's upstream role for it"),
  ).action(async (_opts: unknown, command: Command) => {
    const opts = apiOptions(command) as ApiOptions & {
      person?: string;
      role?: string;
      database: string;
      upstreamRole: string;
    };
    const made = await apiClient(opts).post<GrantView>(
      '/api/v1/gateway/grants',
      ...jsonBody({
        ...(opts.person === undefined ? {} : { person: opts.person }),
        ...(opts.role === undefined ? {} : { role: opts.role }),
        database: opts.database,
        upstream_role: opts.upstreamRole,
      }),
    );
    console.log(opts.json ? JSON.stringify(made, null, 2) : `Grant ${made.id} added.`);
  });
  withApiOptions(
    grants
      .command('revoke')
      .description('take a grant back (its sessions end before their next statement)')
      .argument('<id>', 'grant id (gwg_…)'),
  ).action(async (id: string, _opts: unknown, command: Command) => {
    const opts = apiOptions(command);
    await apiClient(opts).delete(`/api/v1/gateway/grants/${encodeURIComponent(id)}`);
    console.log(`Grant ${id} revoked; sessions it allowed end before their next statement.`);
  });
}
