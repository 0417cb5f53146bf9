import type { Command } from 'commander';
import { loadAdminToken } from '../access/admin-token.js';
import { formatVerifierKey } from '../core/note.js';
import { dataPaths } from '../data-folder.js';
import { openLog } from '../log/open-log.js';
import { dataDirOption } from './options.js';

export function initCommand(program: Command): void {
  program
    .command('init')
    .description(
      'create a data folder: log signing key, admin token, empty signed log (serve does this on first start)',
    )
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(
      '--origin <origin>',
      'log origin (env EVIDENT_ORIGIN); default evident.local/<hostname>',
    )
    .action(async (opts: { data?: string; origin?: string }) => {
      const dataDir = dataDirOption(opts.data);
      const log = await openLog({ dataDir, origin: opts.origin ?? process.env.EVIDENT_ORIGIN });
      try {
        const token = loadAdminToken(
          dataPaths(dataDir).adminToken,
          process.env.EVIDENT_ADMIN_TOKEN,
        );
        console.log(
          log.created ? `Created a new log in ${dataDir}` : `The log in ${dataDir} already exists`,
        );
        console.log(`  origin:       ${log.origin}`);
        console.log(`  verifier key: ${formatVerifierKey(log.signer.name, log.signer.publicKey)}`);
        console.log(
          '  (publish the verifier key: anyone can check checkpoints and proofs with it)',
        );
        if (token.generated) {
          console.log(
            `  admin token (shown once; saved to ${dataPaths(dataDir).adminToken}, mode 0600):`,
          );
          console.log(`    ${token.generated}`);
        }
      } finally {
        await log.close();
      }
    });
}
