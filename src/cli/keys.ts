import type { Command } from 'commander';
import { createIngestKey } from '../access/credentials/ingest-keys.js';
import { registerKeySource } from '../monitor/sources/source-registry.js';
import { withLocalLog } from './operator.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption } from './options.js';
import { rotateLogKeyCommand } from './rotate-log-key.js';

export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description("manage ingest keys (each bound to one source) and the log's signing key");

  keys
    .command('create')
    .description(
      'create an ingest key for a source; the key is printed once and stored only as a hash',
    )
    .requiredOption('-s, --source <name>', 'the source this key appends as, e.g. billing-api')
    .option('-l, --label <text>', 'a note for whoever lists keys later')
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .action(async (opts: { source: string; label?: string; data?: string; db?: string }) => {
      await withLocalLog(location(opts), async (log, audit) => {
        const created = await createIngestKey(
          log.store,
          log.clock,
          opts.source,
          opts.label ?? null,
        );
        await registerKeySource(log.store, created.row);
        await audit({
          action: 'ingest_key.create',
          target: { type: 'ingest_key', id: created.row.id },
          details: { source: created.row.source },
        });
        console.log(`Created ingest key ${created.row.id} for source "${created.row.source}".`);
        console.log('Store it now; it is not shown again:');
        console.log(`  ${created.key}`);
      });
    });

  keys
    .command('list')
    .description('list ingest keys (never their secrets)')
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; db?: string; json?: boolean }) => {
      await withLocalLog(location(opts), async (log, audit) => {
        const rows = await log.store.ingestKeys();
        await audit({
          action: 'ingest_key.list',
          target: { type: 'ingest_key', id: '*' },
          details: { count: rows.length },
        });
        const view = rows.map((r) => ({
          id: r.id,
          source: r.source,
          label: r.label,
          created_at: new Date(r.createdAtMs).toISOString(),
          revoked_at: r.revokedAtMs === null ? null : new Date(r.revokedAtMs).toISOString(),
        }));
        if (opts.json) {
          console.log(JSON.stringify(view, null, 2));
          return;
        }
        if (view.length === 0) {
          console.log('No ingest keys. Create one with `evident keys create --source NAME`.');
          return;
        }
        console.table(
          view.map((v) => ({ ...v, label: v.label ?? '', revoked_at: v.revoked_at ?? '' })),
        );
      });
    });

  keys
    .command('revoke')
    .description('revoke an ingest key; running servers refuse it within 500 ms')
    .argument('<id>', 'the key id shown by `keys list`')
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .action(async (id: string, opts: { data?: string; db?: string }) => {
      await withLocalLog(location(opts), async (log, audit) => {
        const existing = await log.store.ingestKey(id);
        if (!existing) throw new Error(`no ingest key with id ${id}; see \`evident keys list\``);
        if (existing.revokedAtMs !== null) {
          console.log(
            `Key ${id} was already revoked at ${new Date(existing.revokedAtMs).toISOString()}.`,
          );
          return;
        }
        await log.store.revokeIngestKey(id, log.clock.now());
        await audit({
          action: 'ingest_key.revoke',
          target: { type: 'ingest_key', id },
          details: { source: existing.source },
        });
        console.log(`Revoked ingest key ${id} (source "${existing.source}").`);
      });
    });

  rotateLogKeyCommand(keys);
}

function location(opts: { data?: string; db?: string }) {
  return { dataDir: dataDirOption(opts.data), databaseUrl: databaseUrlOption(opts.db) };
}
