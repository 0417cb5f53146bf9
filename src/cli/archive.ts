import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { MAX_BUNDLE_ENTRIES } from '../retention/archive/build-bundle.js';
import { bundleName } from '../retention/archive/bundle-layout.js';
import { bundleFromStore, type CutBundle, cutBundle } from '../retention/archive/cut-bundle.js';
import { contentsFromApi } from '../retention/archive/read-from-api.js';
import { entriesInRange } from '../retention/archive/read-from-store.js';
import type { ArchiveTarget } from '../retention/archive/targets/archive-target.js';
import { directoryTarget } from '../retention/archive/targets/directory-target.js';
import { archiveTargetFromConfig } from '../retention/archive/targets/target-config.js';
import { type BundleVerdict, verifyBundle } from '../retention/archive/verify-bundle.js';
import { systemClock } from '../util/clock.js';
import { apiClient, TOKEN_HELP } from './api-command.js';
import { describeFailure, loadBundle, trustedKey } from './archive-files.js';
import { archiveRestoreCommand } from './archive-restore.js';
import { withLocalLog } from './operator.js';
import {
  DB_FLAG,
  DB_HELP,
  databaseUrlOption,
  dataDirOption,
  parseNonNegativeInt,
} from './options.js';
import { startProgress } from './progress.js';

interface CreateOptions {
  fromSeq: number;
  toSeq: number;
  out: string;
  data?: string;
  db?: string;
  url?: string;
  token?: string;
}

interface VerifyOptions {
  key?: string;
  keyFile?: string;
  json?: boolean;
}

/** `evident archive create|verify|restore`: payloads kept outside the log, provably (docs/archive.md). */
export function archiveCommand(program: Command): Command {
  const archive = program
    .command('archive')
    .description(
      'archive bundles: records with their leaf hashes and inclusion proofs against one signed checkpoint, verifiable offline',
    );

  archive
    .command('create')
    .description(
      'write the entries --from-seq..--to-seq (both included) as one bundle to a file, a directory or s3://bucket/prefix; local use appends archive.create to the log',
    )
    .requiredOption('--from-seq <seq>', 'first seq in the bundle', parseNonNegativeInt)
    .requiredOption('--to-seq <seq>', 'last seq in the bundle (included)', parseNonNegativeInt)
    .requiredOption(
      '-o, --out <path>',
      'a .zip file, a directory (ending in /, or existing), or s3://bucket/prefix (credentials from AWS_* env)',
    )
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option(
      '-u, --url <url>',
      'read through a running server instead (needs log.entries and proofs.read)',
    )
    .option('-t, --token <token>', TOKEN_HELP)
    .action(async (opts: CreateOptions) => {
      if (opts.toSeq < opts.fromSeq) throw new Error('--to-seq must not be before --from-seq');
      if (opts.toSeq - opts.fromSeq + 1 > MAX_BUNDLE_ENTRIES)
        throw new Error(
          `a bundle holds at most ${MAX_BUNDLE_ENTRIES} entries: split ${opts.fromSeq}..${opts.toSeq} into several ranges`,
        );
      const cut = opts.url === undefined ? await createLocal(opts) : await createRemote(opts);
      const { target, name } = outTarget(opts.out, cut);
      const location = await target.put(name, cut.zip);
      const e = cut.manifest.entries;
      console.error(
        `Wrote ${location}: ${e.count} entries (seq ${e.first_seq}–${e.last_seq}) proven against the checkpoint of size ${cut.manifest.checkpoint.tree_size}; SHA-256 ${cut.sha256}.`,
      );
      console.error(`Verify it with: evident archive verify ${location} --key ${cut.verifierKey}`);
    });

  archive
    .command('verify <bundle>')
    .description(
      "check a bundle (the zip, the folder it was unzipped to, or s3://bucket/prefix/name.zip) offline: the checkpoint's signature, every record against its leaf hash, every inclusion proof, every file's SHA-256; exit 2 naming the first failure",
    )
    .option(
      '-k, --key <verifier-key>',
      "the log's verifier key you trust (an older key chains to later ones)",
    )
    .option('--key-file <file>', 'read the verifier key from a file')
    .option('--json', 'print the result as JSON')
    .action(async (bundlePath: string, opts: VerifyOptions) => {
      const key = trustedKey(opts);
      const progress = startProgress('verify', undefined);
      let verdict: BundleVerdict;
      try {
        const { files } = await loadBundle(bundlePath);
        verdict = verifyBundle(files, key, (done, total) => progress.update(done, total));
      } catch (error) {
        process.exitCode = 2;
        throw new Error(`${bundlePath}: ${(error as Error).message}`);
      } finally {
        progress.stop();
      }
      const { entries: _, ...shown } = verdict;
      if (opts.json) console.log(JSON.stringify(shown, null, 2));
      else
        for (const c of verdict.checks)
          console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.subject}: ${c.detail}`);
      if (!verdict.ok) {
        process.exitCode = 2;
        throw new Error(`the bundle does NOT verify: ${describeFailure(verdict)}`);
      }
      console.error(
        `Verified: ${verdict.verified} records of ${verdict.origin}, each proven in the checkpoint of size ${verdict.checkpoint!.size}.`,
      );
    });
  archiveRestoreCommand(archive);
  return archive;
}

async function createLocal(opts: CreateOptions): Promise<CutBundle> {
  const location = { dataDir: dataDirOption(opts.data), databaseUrl: databaseUrlOption(opts.db) };
  return withLocalLog(location, async (log, audit) => {
    const head = await log.store.head();
    if (!head || opts.toSeq >= head.size)
      throw new Error(`--to-seq ${opts.toSeq} is past the log's size ${head?.size ?? 0}`);
    const progress = startProgress('reading entries', opts.toSeq - opts.fromSeq + 1);
    let entries: Awaited<ReturnType<typeof entriesInRange>>;
    try {
      entries = await entriesInRange(log.store, opts.fromSeq, opts.toSeq, (d, t) =>
        progress.update(d, t),
      );
    } finally {
      progress.stop();
    }
    const cut = await bundleFromStore(log.store, log.origin, entries, head.checkpoint, log.clock);
    // Taking records out of the log is an export: the log says who did it, and what left.
    await audit({
      action: 'archive.create',
      target: { type: 'archive_bundle', id: cut.sha256 },
      category: 'audit',
      details: {
        first_seq: opts.fromSeq,
        last_seq: opts.toSeq,
        count: cut.manifest.entries.count,
        tree_size: head.size,
        bundle_sha256: cut.sha256,
      },
    });
    return cut;
  });
}

async function createRemote(opts: CreateOptions): Promise<CutBundle> {
  const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
  let bar: ReturnType<typeof startProgress> | undefined;
  let stage = '';
  const contents = await contentsFromApi(
    client,
    opts.fromSeq,
    opts.toSeq,
    systemClock,
    (s, done, total) => {
      if (s !== stage) {
        bar?.stop();
        stage = s;
        bar = startProgress(s, total);
      }
      bar!.update(done, total);
    },
  );
  bar?.stop();
  return cutBundle(contents);
}

/** `--out`: s3://bucket/prefix or a directory get the bundle's own name; a file path its own. */
function outTarget(out: string, cut: CutBundle): { target: ArchiveTarget; name: string } {
  const own = bundleName(
    cut.manifest.entries.first_seq,
    cut.manifest.entries.last_seq,
    cut.manifest.checkpoint.tree_size,
  );
  if (/^s3:\/\//i.test(out)) return { target: archiveTargetFromConfig(out), name: own };
  if (out.endsWith('/') || isDirectory(out)) return { target: directoryTarget(out), name: own };
  return { target: directoryTarget(dirname(out)), name: basename(out) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
