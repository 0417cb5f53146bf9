import type { Command } from 'commander';
import { openLog } from '../log/open-log.js';
import { SelfAudit } from '../log/self-audit.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import { restoreEntries } from '../retention/archive/restore-entries.js';
import { verifyBundle } from '../retention/archive/verify-bundle.js';
import { describeFailure, loadBundle } from './archive-files.js';
import { operatorPrincipal } from './operator.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption } from './options.js';

interface RestoreOptions {
  data?: string;
  db?: string;
  key?: string;
}

/** `evident archive restore`: payloads of a verified bundle back into the log they left. */
export function archiveRestoreCommand(archive: Command): void {
  archive
    .command('restore <bundle>')
    .description(
      'put the purged payloads of a bundle back into the log: the bundle must verify, and each payload must match the leaf hash the log stores for its seq (else nothing is restored); appends archive.restore',
    )
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option(
      '-k, --key <verifier-key>',
      "the verifier key to check the bundle with; default: the log's first key (later keys chain from it)",
    )
    .action(async (bundlePath: string, opts: RestoreOptions) => {
      const { files, sha256: bundleSha } = await loadBundle(bundlePath);
      const log = await openLog({
        dataDir: dataDirOption(opts.data),
        databaseUrl: databaseUrlOption(opts.db),
        mustExist: true,
      });
      try {
        const key = opts.key ?? (await readKeyHistory(log.store))[0]!.verifierKey;
        const verdict = verifyBundle(files, key);
        if (!verdict.ok) {
          process.exitCode = 2;
          throw new Error(
            `the bundle does NOT verify, nothing was restored: ${describeFailure(verdict)}`,
          );
        }
        if (verdict.origin !== log.origin)
          throw new Error(
            `the bundle is for the log "${verdict.origin}", this log is "${log.origin}"`,
          );
        const audit = new SelfAudit(log.sequencer, log.origin, log.clock);
        const report = await restoreEntries(
          audit,
          operatorPrincipal(),
          verdict.entries!,
          log.clock,
          {
            sha256: bundleSha ?? 'unzipped-folder',
          },
        );
        console.error(
          `Restored ${report.restored.length} payload(s)` +
            (report.untouched.length > 0
              ? `; ${report.untouched.length} were not purged (or restored already) and were left as they are`
              : '') +
            '. Each matched the leaf hash the log stores for its seq.',
        );
      } finally {
        await log.close();
      }
    });
}
