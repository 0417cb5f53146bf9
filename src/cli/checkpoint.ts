import type { Command } from 'commander';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';

export function checkpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description("print the log's latest signed checkpoint (C2SP tlog-checkpoint signed note)")
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: { url?: string; token?: string; data?: string }) => {
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      process.stdout.write(await client.getText('/api/v1/log/checkpoint'));
    });
}
