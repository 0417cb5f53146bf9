import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ApiClient, ApiError } from '../client/api-client.js';
import { type ApiOptions, apiClient, jsonBody, withApiOptions } from './api-command.js';
import { PASSWORD_HELP, readPassword } from './password-input.js';

/** A principal as the API shows it (the fields the CLI prints). */
export interface PrincipalView {
  id: string;
  kind: 'person' | 'service';
  name: string;
  display_name: string | null;
  email: string | null;
  roles: { role: string; sources: string[] | null }[];
  disabled: boolean;
  sign_in: {
    password: boolean;
    oidc: { issuer: string; subject: string } | null;
    last_success_at: string | null;
    locked_until: string | null;
  };
  created_at: string;
  created_by: string;
}

export interface ApprovalView {
  id: string;
  change: 'admin_grant' | 'admin_revoke';
  status: string;
  subject: { id: string; name: string };
  requested_by: { id: string; name: string };
  requested_at: string;
  expires_at: string;
  reason: string | null;
  decided_by: { id: string; name: string } | null;
  decided_at: string | null;
  decision_reason: string | null;
}

interface Changed {
  principal: PrincipalView;
  approval: ApprovalView | null;
  approvals?: ApprovalView[];
}

/** What a pending request waits to do, for the message that names it. */
const WAITING: Record<string, string> = {
  admin_grant: 'Giving admin',
  admin_revoke: 'Taking admin',
  reader_grant: 'Giving a reading role to a principal an admin controls',
  reader_token: 'A token that reads events',
};

type Grant = string | { role: string; sources: string[] };

/** `--role reviewer:billing-*,hr-api` → { role, sources }; `--role admin` → "admin". */
export function collectRole(value: string, previous: Grant[] = []): Grant[] {
  const [role, patterns] = value.split(/:(.*)/s, 2) as [string, string | undefined];
  if (!/^[a-z]+$/.test(role)) throw new InvalidArgumentError('write ROLE or ROLE:SOURCE,SOURCE');
  if (patterns === undefined) return [...previous, role];
  const sources = patterns.split(',').filter((p) => p !== '');
  if (sources.length === 0) throw new InvalidArgumentError(`name the sources after "${role}:"`);
  return [...previous, { role, sources }];
}

export const ROLE_HELP =
  'a role, optionally limited to sources: admin, auditor, reviewer:billing-*,hr-api (repeatable)';

/** A principal by id, or else by its unique name. */
export async function resolvePrincipal(
  client: ApiClient,
  idOrName: string,
): Promise<PrincipalView> {
  try {
    return await client.getJson<PrincipalView>(
      `/api/v1/principals/${encodeURIComponent(idOrName)}`,
    );
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const { principals } = await client.getJson<{ principals: PrincipalView[] }>(
    '/api/v1/principals',
  );
  const found = principals.find((p) => p.name === idOrName);
  if (!found) throw new Error(`no principal with id or name "${idOrName}"`);
  return found;
}

export function principalsCommand(program: Command): void {
  const principals = program
    .command('principals')
    .description('people and service principals, their roles and sign-in (over the HTTP API)');

  withApiOptions(
    principals
      .command('create')
      .description('create a person or a service; asking for admin opens a four-eyes request')
      .argument('<name>', "sign-in name: lower-case letters, digits, '.', '_', '-', '@'")
      .addOption(
        new Option('--kind <kind>', 'person or service')
          .choices(['person', 'service'])
          .default('person'),
      )
      .option('--role <role>', ROLE_HELP, collectRole)
      .option('--display-name <text>', 'full name')
      .option('--email <address>', 'contact address')
      .option('--password', `prompt for a password (people only); ${PASSWORD_HELP}`)
      .option('--password-stdin', 'read the password from standard input')
      .option('--oidc-issuer <url>', 'OpenID Connect issuer this person signs in with')
      .option('--oidc-subject <sub>', "the person's subject (sub) at that issuer"),
  ).action(
    async (
      name: string,
      opts: ApiOptions & {
        kind: string;
        role?: Grant[];
        displayName?: string;
        email?: string;
        password?: boolean;
        passwordStdin?: boolean;
        oidcIssuer?: string;
        oidcSubject?: string;
      },
    ) => {
      const client = apiClient(opts);
      const password =
        opts.password || opts.passwordStdin
          ? await readPassword({ stdin: opts.passwordStdin === true })
          : undefined;
      const body = {
        kind: opts.kind,
        name,
        roles: opts.role ?? [],
        ...(opts.displayName === undefined ? {} : { display_name: opts.displayName }),
        ...(opts.email === undefined ? {} : { email: opts.email }),
        ...(password === undefined ? {} : { password }),
        ...(opts.oidcIssuer === undefined ? {} : { oidc_issuer: opts.oidcIssuer }),
        ...(opts.oidcSubject === undefined ? {} : { oidc_subject: opts.oidcSubject }),
      };
      const created = await client.post<Changed>('/api/v1/principals', ...jsonBody(body));
      printChanged(created, opts, 'created');
    },
  );

  withApiOptions(
    principals
      .command('list')
      .description('every person and service')
      .addOption(
        new Option('--kind <kind>', 'only people or services').choices(['person', 'service']),
      )
      .option('--role <role>', 'only holders of this role'),
  ).action(async (opts: ApiOptions & { kind?: string; role?: string }) => {
    const { principals: list } = await apiClient(opts).getJson<{ principals: PrincipalView[] }>(
      '/api/v1/principals',
      { kind: opts.kind, role: opts.role },
    );
    if (opts.json) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    if (list.length === 0) {
      console.log('No principals yet. Create one with `evident principals create NAME --role …`.');
      return;
    }
    console.table(list.map(row));
  });

  withApiOptions(
    principals.command('show').description('one principal').argument('<principal>', 'id or name'),
  ).action(async (idOrName: string, opts: ApiOptions) => {
    const p = await resolvePrincipal(apiClient(opts), idOrName);
    console.log(opts.json ? JSON.stringify(p, null, 2) : describe(p));
  });

  withApiOptions(
    principals
      .command('roles')
      .description(
        "replace a principal's roles; reading roles change at once, giving or taking admin opens a four-eyes request",
      )
      .argument('<principal>', 'id or name')
      .option('--role <role>', ROLE_HELP, collectRole)
      .option('--none', 'remove every role')
      .option('--reason <text>', 'why (shown to the approving admin)'),
  ).action(
    async (
      idOrName: string,
      opts: ApiOptions & { role?: Grant[]; none?: boolean; reason?: string },
    ) => {
      if (!opts.role && !opts.none) throw new Error('give the new roles with --role, or --none');
      if (opts.role && opts.none) throw new Error('--none and --role exclude each other');
      const client = apiClient(opts);
      const p = await resolvePrincipal(client, idOrName);
      const body = { roles: opts.role ?? [], ...(opts.reason ? { reason: opts.reason } : {}) };
      const changed = await client.put<Changed>(
        `/api/v1/principals/${encodeURIComponent(p.id)}/roles`,
        ...jsonBody(body),
      );
      printChanged(changed, opts, 'changed');
    },
  );

  const onePrincipal = (command: string, description: string) =>
    withApiOptions(
      principals.command(command).description(description).argument('<principal>', 'id or name'),
    );
  onePrincipal(
    'disable',
    'stop a principal signing in or using its tokens (not yourself, not the last admin)',
  ).action((idOrName: string, opts: ApiOptions) => setFields(idOrName, opts, { disabled: true }));
  onePrincipal('enable', 'let a disabled principal in again').action(
    (idOrName: string, opts: ApiOptions) => setFields(idOrName, opts, { disabled: false }),
  );
  onePrincipal('reset-password', 'set a new password for a person (prompted, or --password-stdin)')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (idOrName: string, opts: ApiOptions & { passwordStdin?: boolean }) => {
      const password = await readPassword({ stdin: opts.passwordStdin === true });
      await setFields(idOrName, opts, { password });
    });
}

async function setFields(idOrName: string, opts: ApiOptions, body: object): Promise<void> {
  const client = apiClient(opts);
  const p = await resolvePrincipal(client, idOrName);
  const updated = await client.patch<PrincipalView>(
    `/api/v1/principals/${encodeURIComponent(p.id)}`,
    ...jsonBody(body),
  );
  console.log(opts.json ? JSON.stringify(updated, null, 2) : describe(updated));
}

function printChanged(changed: Changed, opts: ApiOptions, verb: string): void {
  if (opts.json) {
    console.log(JSON.stringify(changed, null, 2));
    return;
  }
  console.log(describe(changed.principal));
  console.error(`${changed.principal.kind} ${changed.principal.name} ${verb}.`);
  const pending = changed.approvals ?? (changed.approval ? [changed.approval] : []);
  for (const a of pending) {
    console.error(
      `${WAITING[a.change] ?? a.change} needs a second admin: request ${a.id} waits until ${a.expires_at} (\`evident approvals approve ${a.id}\`).`,
    );
  }
}

export function rolesText(roles: PrincipalView['roles']): string {
  return roles.map((r) => (r.sources ? `${r.role}(${r.sources.join(',')})` : r.role)).join(' ');
}

function row(p: PrincipalView) {
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    roles: rolesText(p.roles),
    status: p.disabled ? 'disabled' : 'active',
    sign_in: [p.sign_in.password ? 'password' : '', p.sign_in.oidc ? 'oidc' : '']
      .filter(Boolean)
      .join('+'),
  };
}

function describe(p: PrincipalView): string {
  return [
    `id          ${p.id}`,
    `name        ${p.name}${p.display_name ? ` (${p.display_name})` : ''} — ${p.kind}${p.disabled ? ', DISABLED' : ''}`,
    `email       ${p.email ?? '—'}`,
    `roles       ${rolesText(p.roles) || '(none)'}`,
    `sign-in     ${p.sign_in.password ? 'password' : 'no password'}${p.sign_in.oidc ? `, OIDC ${p.sign_in.oidc.subject} at ${p.sign_in.oidc.issuer}` : ''}${p.sign_in.locked_until ? `; locked until ${p.sign_in.locked_until}` : ''}`,
    `created     ${p.created_at} by ${p.created_by}`,
  ].join('\n');
}
