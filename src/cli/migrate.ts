import type { Command } from 'commander';
import { copyLog } from '../log/copy-log.js';
import { openStore } from '../store/open-store.js';
import { verifyStore } from '../verify/verify-store.js';
import { startProgress } from './progress.js';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'copy a SQLite log (a data folder) into an empty PostgreSQL database, then verify the copy',
    )
    .requiredOption('--from <dir>', 'the data folder to copy from (opened read-only)')
    .requiredOption(
      '--to <url>',
      'postgres:// URL of the EMPTY target (add ?schema=NAME to choose a schema)',
    )
    .action(async (opts: { from: string; to: string }) => {
      const source = await openStore({ dataDir: opts.from }, { readonly: true });
      const target = await openStore({ dataDir: opts.from, databaseUrl: opts.to });
      try {
        const copying = startProgress('copy', undefined);
        const copied = await copyLog(source, target, ({ copied, total }) =>
          copying.update(copied, total),
        ).finally(() => copying.stop());
        const checking = startProgress('verify', undefined);
        const report = await verifyStore(target, {
          onProgress: (done, total) => checking.update(done, total),
        }).finally(() => checking.stop());
        if (!report.ok) {
          const first = report.problems[0]!;
          throw new Error(`the copy does not verify: ${first.message} [${first.kind}]`);
        }
        console.log(
          `Migrated ${copied.entries} entries, ${copied.checkpoints} signed checkpoints and ${copied.stateRows} rows of state; the copy verifies (tree size ${report.treeSize}, root ${report.rootHash}).`,
        );
        console.log(
          `Serve it with: evident serve --data ${opts.from} --db '<the same URL>' (the data folder keeps the log key).`,
        );
      } finally {
        await source.close();
        await target.close();
      }
    });
}
