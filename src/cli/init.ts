import type { Command } from 'commander';
import { loadAdminToken } from '../access/authentication/admin-token.js';
import { formatVerifierKey } from '../core/note.js';
import { dataPaths } from '../data-folder.js';
import { openLog } from '../log/open-log.js';
import { describeLocation } from '../store/open-store.js';
import { loadOrCreateSecretBox } from '../util/secret-box.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption } from './options.js';

export function initCommand(program: Command): void {
  program
    .command('init')
    .description(
      'create a log: signing key, admin token, empty signed tree (serve does this on first start)',
    )
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option(
      '--origin <origin>',
      'log origin (env EVIDENT_ORIGIN); default evident.local/<hostname>',
    )
    .action(async (opts: { data?: string; db?: string; origin?: string }) => {
      const dataDir = dataDirOption(opts.data);
      const databaseUrl = databaseUrlOption(opts.db);
      const where = describeLocation({ dataDir, databaseUrl });
      const log = await openLog({
        dataDir,
        databaseUrl,
        origin: opts.origin ?? process.env.EVIDENT_ORIGIN,
      });
      try {
        const token = loadAdminToken(
          dataPaths(dataDir).adminToken,
          process.env.EVIDENT_ADMIN_TOKEN,
        );
        console.log(
          log.created ? `Created a new log in ${where}` : `The log in ${where} already exists`,
        );
        console.log(`  origin:       ${log.origin}`);
        console.log(`  verifier key: ${formatVerifierKey(log.signer.name, log.signer.publicKey)}`);
        console.log(
          `  signing key:  ${dataPaths(dataDir).logKey} (mode 0600; every server of this log needs it)`,
        );
        // Made here, not at the first serve, so copies of this folder share one key.
        loadOrCreateSecretBox(dataPaths(dataDir).secretsKey);
        console.log(
          `  secrets key:  ${dataPaths(dataDir).secretsKey} (mode 0600; encrypts webhook and SMTP secrets; every server of this log needs it)`,
        );
        console.log('  Publish the verifier key: anyone can check checkpoints and proofs with it.');
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
