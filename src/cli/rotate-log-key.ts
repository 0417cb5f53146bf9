import type { Command } from 'commander';
import { toHex } from '../core/bytes.js';
import { formatVerifierKey } from '../core/note.js';
import { prepareFolderKey, rotateFolderKey } from '../log/rotate-folder-key.js';
import { operatorPrincipal, withLocalLog } from './operator.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption } from './options.js';

interface RotateOptions {
  data?: string;
  db?: string;
  reason?: string;
  prepare?: boolean;
  json?: boolean;
}

/** `evident keys rotate-log-key`: a new checkpoint signing key, handed over in the log itself. */
export function rotateLogKeyCommand(keys: Command): void {
  keys
    .command('rotate-log-key')
    .description(
      "replace the log's checkpoint signing key: one handover checkpoint is signed by the old and the new key, later ones by the new key only; old checkpoints keep verifying",
    )
    .option('-d, --data <dir>', 'data folder holding log.key (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option('--reason <text>', 'why the key is rotated (kept in the rotation event)')
    .option(
      '--prepare',
      'only make the next key (log.key.<id>.new) to copy to every server first; a later run without --prepare uses it',
    )
    .option('--json', 'print JSON')
    .action(async (opts: RotateOptions) => {
      const dataDir = dataDirOption(opts.data);
      await withLocalLog(
        { dataDir, databaseUrl: databaseUrlOption(opts.db) },
        async (log, audit) => {
          if (opts.prepare) {
            const made = prepareFolderKey(dataDir, log.origin);
            const verifierKey = formatVerifierKey(made.signer.name, made.signer.publicKey);
            await audit({
              action: 'log_key.prepare',
              target: { type: 'log_key', id: toHex(made.signer.keyId), name: log.origin },
              category: 'config',
              details: { verifier_key: verifierKey },
            });
            report(opts, 'Prepared the next log key', {
              file: made.file,
              verifier_key: verifierKey,
              next_step:
                'copy this file (mode 0600) into the data folder of every server of this log, then run `evident keys rotate-log-key` here',
            });
            return;
          }
          const rotated = await rotateFolderKey(log, dataDir, {
            actor: { id: operatorPrincipal().id, type: 'operator' },
            ...(opts.reason === undefined ? {} : { reason: opts.reason }),
          });
          report(opts, `Rotated the log key at tree size ${rotated.current.fromSize}`, {
            handover_size: rotated.current.fromSize,
            event_seq: rotated.seq,
            retired_key: rotated.previous.verifierKey,
            current_key: rotated.current.verifierKey,
            key_file: rotated.keyFile,
            retired_key_file: rotated.retiredKeyFile,
            handover_checkpoint: rotated.checkpoint,
            next_step:
              'publish the new verifier key (GET /api/v1/log/keys lists every key); servers of this log with another data folder need the new log.key and refuse to append (503) until they have it',
          });
        },
      );
    });
}

function report(opts: RotateOptions, title: string, fields: Record<string, string | number>): void {
  if (opts.json) {
    console.log(JSON.stringify(fields, null, 2));
    return;
  }
  console.log(`${title}.`);
  for (const [name, value] of Object.entries(fields)) {
    const label = name.replaceAll('_', ' ');
    const text = String(value);
    if (!text.includes('\n')) {
      console.log(`  ${label}: ${text}`);
      continue;
    }
    console.log(`  ${label}:`);
    for (const line of text.trimEnd().split('\n')) console.log(`    ${line}`);
  }
}
