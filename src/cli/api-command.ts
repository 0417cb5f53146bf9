import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { adminTokenOption, apiUrl } from './options.js';

/** The options every command over the HTTP API takes. */
export interface ApiOptions {
  url?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

/** `json: false` for a command whose output is JSON already (no `--json` to offer). */
export function withApiOptions(command: Command, json = true): Command {
  command
    .option('-u, --url <url>', 'server URL (env EVIDENT_URL)')
    .option('-t, --token <token>', 'API token (env EVIDENT_TOKEN; default: <data>/admin.token)')
    .option('-d, --data <dir>', 'data folder whose admin.token to use');
  return json ? command.option('--json', 'print JSON') : command;
}

export function apiClient(opts: ApiOptions): ApiClient {
  return new ApiClient({
    baseUrl: apiUrl(opts.url),
    token: adminTokenOption(opts.token, opts.data),
  });
}

export const jsonBody = (value: unknown): [string, string] => [
  JSON.stringify(value),
  'application/json',
];
