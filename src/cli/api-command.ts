import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import {
  explainUnauthorized,
  type ResolvedCredential,
  resolveCredential,
} from './credentials/resolve-credential.js';

/** The options every command over the HTTP API takes. */
export interface ApiOptions {
  url?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

export const URL_HELP =
  'server URL (env EVIDENT_URL; default: the only stored login, else http://127.0.0.1:8080)';
export const TOKEN_HELP =
  'API token (env EVIDENT_TOKEN; default: your `evident login` for the URL, else <data>/admin.token)';

/** `json: false` for a command whose output is JSON already (no `--json` to offer). */
export function withApiOptions(command: Command, json = true): Command {
  command
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use');
  return json ? command.option('--json', 'print JSON') : command;
}

export function apiClient(opts: ApiOptions): ApiClient {
  return clientFor(resolveCredential(opts));
}

export function clientFor(credential: ResolvedCredential): ApiClient {
  return new ApiClient({
    baseUrl: credential.url,
    token: credential.token,
    explainUnauthorized: (error) => explainUnauthorized(credential, error),
  });
}

export const jsonBody = (value: unknown): [string, string] => [
  JSON.stringify(value),
  'application/json',
];
