import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { adminTokenOption, apiUrl } from './options.js';

export function checkpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description("print the log's latest signed checkpoint (C2SP tlog-checkpoint signed note)")
    .option('-u, --url <url>', 'server URL (env EVIDENT_URL)')
    .option('-t, --token <token>', 'API token (env EVIDENT_TOKEN; default: <data>/admin.token)')
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: { url?: string; token?: string; data?: string }) => {
      const client = new ApiClient({
        baseUrl: apiUrl(opts.url),
        token: adminTokenOption(opts.token, opts.data),
      });
      process.stdout.write(await client.getText('/api/v1/log/checkpoint'));
    });
}
