import type { Command } from 'commander';
import { type ApiOptions, clientFor, withApiOptions } from './api-command.js';
import { describeSource, resolveCredential } from './credentials/resolve-credential.js';
import { rolesText } from './principals.js';

interface WhoamiView {
  id: string;
  kind: 'person' | 'service' | 'ingest';
  name: string | null;
  source?: string;
  roles: { role: string; sources: string[] | null }[];
  credential: { method: string; token_id?: string; expires_at?: string | null; key_id?: string };
}

export function whoamiCommand(program: Command): void {
  withApiOptions(
    program
      .command('whoami')
      .description(
        'who the server takes your token for: principal, roles and their sources, expiry, and where the CLI found the token',
      ),
  ).action(async (opts: ApiOptions) => {
    const credential = resolveCredential(opts);
    const me = await clientFor(credential).getJson<WhoamiView>('/api/v1/whoami');
    const source = describeSource(credential.source);
    if (opts.json) {
      console.log(
        JSON.stringify({ ...me, server: credential.url, credential_source: source }, null, 2),
      );
      return;
    }
    const c = me.credential;
    console.log(
      [
        `${me.kind} ${me.name ?? me.id}${me.name ? ` (${me.id})` : ''}`,
        me.kind === 'ingest'
          ? `appends as source ${me.source}`
          : `roles: ${rolesText(me.roles) || '(none)'}`,
        `credential: ${c.method}${c.token_id ? ` ${c.token_id}` : ''}${c.expires_at ? `, expires ${c.expires_at}` : ''}`,
        `server: ${credential.url}, token from ${source}`,
      ].join('\n'),
    );
  });
}
