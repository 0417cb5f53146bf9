import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiError } from '../client/api-client.js';
import { clientFor } from './api-command.js';
import { oidcLogin } from './credentials/oidc-loopback.js';
import {
  credentialsFile,
  findLogin,
  removeLogin,
  type StoredLogin,
  saveLogin,
} from './credentials/stored-logins.js';
import { LOGIN_TOKEN_HOURS, passwordSession, tokenFromSession } from './credentials/web-session.js';
import { apiUrl } from './options.js';
import { PASSWORD_HELP, readPassword } from './password-input.js';

interface LoginOptions {
  url?: string;
  name?: string;
  passwordStdin?: boolean;
  oidc?: boolean;
}

/** `evident login` and `evident logout`: a person's credential for the CLI, per server. */
export function loginCommands(program: Command): void {
  program
    .command('login')
    .description(
      `sign in as a person: stores a ${LOGIN_TOKEN_HOURS}-hour API token for the server in your config folder (0600), used by every command for that URL`,
    )
    .option(
      '-u, --url <url>',
      'server URL (env EVIDENT_URL; default: the only stored login, else http://127.0.0.1:8080)',
    )
    .option('-n, --name <name>', 'your sign-in name (prompted for when omitted)')
    .option('--password-stdin', `read the password from standard input; ${PASSWORD_HELP}`)
    .option(
      '--oidc',
      "sign in with the server's OpenID provider: open the printed URL in a browser on this machine; the CLI waits on 127.0.0.1 for it to come back",
    )
    .addHelpText(
      'after',
      `\nThe login is kept in ${credentialsFile()} (XDG_CONFIG_HOME is honoured), keyed by URL.\nPrecedence for every API command: --token, EVIDENT_TOKEN, this login, ./evident-data/admin.token.`,
    )
    .action(async (opts: LoginOptions) => {
      const url = apiUrl(opts.url);
      let login: StoredLogin;
      if (opts.oidc) {
        if (opts.name !== undefined || opts.passwordStdin) {
          throw new Error('--oidc signs in at the OpenID provider: no --name or --password-stdin');
        }
        login = await oidcLogin(url, (signInUrl) =>
          console.error(
            `Open this URL in a browser on this machine to sign in:\n\n  ${signInUrl}\n\nWaiting…`,
          ),
        );
      } else {
        const name = opts.name ?? (await promptName());
        const password = await readPassword({ stdin: opts.passwordStdin === true, confirm: false });
        login = await tokenFromSession(url, await passwordSession(url, name, password), 'password');
      }
      saveLogin(login);
      console.log(
        `Signed in to ${url} as ${login.name}. A token until ${login.expires_at} is stored in ${credentialsFile()}; \`evident logout --url ${url}\` ends it.`,
      );
    });

  program
    .command('logout')
    .description('revoke the stored login for a server on the server, and forget it here')
    .option(
      '-u, --url <url>',
      'server URL (env EVIDENT_URL; default: the only stored login, else http://127.0.0.1:8080)',
    )
    .action(async (opts: { url?: string }) => {
      const url = apiUrl(opts.url);
      const login = findLogin(url);
      if (!login) throw new Error(`no stored login for ${url} (see ${credentialsFile()})`);
      let note = 'revoked on the server';
      try {
        await clientFor({
          url,
          token: login.token,
          source: { kind: 'login', login, file: credentialsFile() },
        }).delete(`/api/v1/tokens/${encodeURIComponent(login.token_id)}`);
      } catch (error) {
        // Expired or revoked already: nothing left to revoke, so forgetting it is the whole job.
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        note = 'it had already expired or been revoked on the server';
      }
      removeLogin(url);
      console.log(
        `Signed out of ${url} as ${login.name}: ${note}; removed from ${credentialsFile()}.`,
      );
    });
}

async function promptName(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('pass your sign-in name with --name');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const name = (await rl.question('Name: ')).trim();
    if (name === '') throw new Error('a sign-in name is needed');
    return name;
  } finally {
    rl.close();
  }
}
