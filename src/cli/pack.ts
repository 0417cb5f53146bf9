import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { currentKey } from '../core/key-history.js';
import { createEvidencePack } from '../evidence/create-pack.js';
import { parsePackPeriod } from '../evidence/pack-period.js';
import { readPackZip, writePackZip } from '../evidence/pack-zip.js';
import { type PackVerdict, verifyPack } from '../evidence/verify-pack.js';
import { readVerifyPage } from '../evidence/verify-page-asset.js';
import { cosignNow } from '../log/cosign-now.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import { readWitnessPolicy } from '../verify/witness-check.js';
import { apiClient, TOKEN_HELP } from './api-command.js';
import { download } from './download.js';
import { withLocalLog } from './operator.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption } from './options.js';
import { startProgress } from './progress.js';

interface CreateOptions {
  from: string;
  to: string;
  since?: string;
  out: string;
  data?: string;
  db?: string;
  witnessPolicy?: string;
  witnessTimeout: number;
  url?: string;
  token?: string;
}

interface VerifyOptions {
  key?: string;
  keyFile?: string;
  json?: boolean;
  witnessPolicy?: string;
}

function parseSeconds(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('a number of seconds, e.g. 30');
  return Number(value);
}

/** `evident pack create|verify`: the evidence pack an auditor verifies offline (docs/evidence-pack.md). */
export function packCommand(program: Command): void {
  const pack = program
    .command('pack')
    .description(
      'evidence packs for an audit period: reports, proofs and a verify.html, notarised in the log',
    );

  pack
    .command('create')
    .description(
      "build a zip of the period's reports (JSON, CSV), cited events with inclusion proofs, the signed checkpoint and verify.html; appends evidence_pack.create to the log",
    )
    .requiredOption('--from <date>', 'first day (UTC, 2026-01-01) or RFC 3339 time of the period')
    .requiredOption('--to <date>', 'last day (UTC, inclusive) or RFC 3339 time (exclusive)')
    .option(
      '--since <file>',
      'a signed checkpoint the auditor kept: the pack proves the log extends it',
    )
    .requiredOption('-o, --out <file>', 'the zip to write')
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)')
    .option(DB_FLAG, DB_HELP)
    .option(
      '--witness-policy <file>',
      "cut the pack at a checkpoint k of the policy's witnesses (those with a URL) cosigned: checkpoint.txt carries their cosignatures (docs/witnesses.md)",
    )
    .option(
      '--witness-timeout <seconds>',
      'how long to wait for the cosignatures',
      parseSeconds,
      30,
    )
    .option(
      '-u, --url <url>',
      'ask a running server for the pack instead (POST /api/v1/packs; needs packs.create)',
    )
    .option('-t, --token <token>', TOKEN_HELP)
    .action(async (opts: CreateOptions) => {
      const period = parsePackPeriod(opts.from, opts.to);
      const policy = opts.witnessPolicy ? readWitnessPolicy(opts.witnessPolicy) : undefined;
      const since = opts.since === undefined ? undefined : readFileSync(opts.since, 'utf8');
      if (opts.url !== undefined || opts.token !== undefined) {
        // The server cuts the pack at its own newest checkpoint; it does not wait for witnesses.
        if (policy !== undefined) {
          throw new Error(
            '--witness-policy works with --data or --db (this command waits for the witnesses); with --url, cut the pack on the server host or verify it with pack verify --witness-policy',
          );
        }
        await createOverHttp(opts, since);
        return;
      }
      const verifyPage = readVerifyPage();
      const dataDir = dataDirOption(opts.data);
      let bar: ReturnType<typeof startProgress> | undefined;
      let stage = '';
      const created = await withLocalLog(
        { dataDir, databaseUrl: databaseUrlOption(opts.db) },
        async (log, audit) => {
          const made = await createEvidencePack(log, audit, {
            period,
            ...(since === undefined ? {} : { since }),
            verifyPage,
            ...(policy
              ? {
                  witness: (minSize: number) =>
                    cosignNow(
                      {
                        store: log.store,
                        policy,
                        clock: log.clock,
                        timeoutMs: opts.witnessTimeout * 1000,
                        onProblem: (w, why) => console.error(`witness ${w}: ${why}`),
                      },
                      minSize,
                    ),
                }
              : {}),
            progress: (name, done, total) => {
              if (name !== stage) {
                bar?.stop();
                stage = name;
                bar = startProgress(name, total, name === 'reading events' ? 'events' : 'proofs');
              }
              bar!.update(done, total);
            },
          });
          bar?.stop();
          // Check what was cut with this log's own key before handing it out.
          const key = currentKey(await readKeyHistory(log.store)).verifierKey;
          const verdict = verifyPack(made.files, key, policy);
          if (!verdict.ok) {
            process.exitCode = 2;
            throw new Error(`the pack does not verify: ${describeFailure(verdict)}`);
          }
          return { made, key };
        },
      );
      const partial = `${opts.out}.partial`;
      try {
        writeFileSync(partial, writePackZip(created.made.files, created.made.createdAtMs), {
          mode: 0o600,
        });
        renameSync(partial, opts.out);
      } catch (error) {
        rmSync(partial, { force: true });
        throw error;
      }
      const m = created.made;
      console.error(
        `Wrote ${opts.out}: ${m.events} event(s) in the period, ${m.cited} cited with proofs; reports as of tree size ${m.reportsTreeSize}; cut at the checkpoint of size ${m.checkpointSize}, which includes the notarisation (seq ${m.notarisationSeq}, manifest SHA-256 ${m.manifestSha256}).`,
      );
      console.error(`Verify it with: evident pack verify ${opts.out} --key ${created.key}`);
    });

  pack
    .command('verify <pack>')
    .description(
      "check a pack (the zip, or the folder it was unzipped to) offline: every file's hash, the notarisation and its proof, the checkpoint signature, every inclusion and consistency proof; exit 2 naming the first failure",
    )
    .option(
      '-k, --key <verifier-key>',
      "the log's verifier key you trust (an older key chains to later ones)",
    )
    .option('--key-file <file>', 'read the verifier key from a file')
    .option('--json', 'print the result as JSON')
    .option(
      '--witness-policy <file>',
      'also require the checkpoint to carry k cosignatures of these witnesses (docs/witnesses.md)',
    )
    .action((packPath: string, opts: VerifyOptions) => {
      if ((opts.key === undefined) === (opts.keyFile === undefined))
        throw new Error('give the verifier key you trust: --key KEY or --key-file FILE');
      const key = opts.key ?? readFileSync(opts.keyFile!, 'utf8').trim();
      const policy = opts.witnessPolicy ? readWitnessPolicy(opts.witnessPolicy) : undefined;
      let verdict: PackVerdict;
      try {
        verdict = verifyPack(readPack(packPath), key, policy);
      } catch (error) {
        process.exitCode = 2;
        throw new Error(`${packPath}: ${(error as Error).message}`);
      }
      if (opts.json) console.log(JSON.stringify(verdict, null, 2));
      else printVerdict(verdict);
      if (!verdict.ok) {
        process.exitCode = 2;
        throw new Error(`the pack does NOT verify: ${describeFailure(verdict)}`);
      }
      console.error(
        `Verified: every file, the notarisation and every proof check out against the checkpoint of size ${verdict.checkpoint!.size}.`,
      );
    });
}

/** The server cuts, notarises and streams the pack; the zip is written as it arrives. */
async function createOverHttp(opts: CreateOptions, since: string | undefined): Promise<void> {
  const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
  const response = await client.postResponse(
    '/api/v1/packs',
    JSON.stringify({ from: opts.from, to: opts.to, ...(since === undefined ? {} : { since }) }),
    'application/json',
  );
  const bytes = await download(response, opts.out);
  console.error(
    `Wrote ${opts.out} (${bytes} bytes): cut at the checkpoint of size ${response.headers.get('evident-tree-size')}, notarised with manifest SHA-256 ${response.headers.get('evident-manifest-sha256')}.`,
  );
  console.error(
    `Verify it with: evident pack verify ${opts.out} --key KEY, where KEY is the verifier key you trust (published, or kept from before; not one the same server just sent).`,
  );
}

/** A pack zip, or the folder an auditor unzipped it to (its files, flat). */
function readPack(path: string): Map<string, Uint8Array> {
  if (!statSync(path).isDirectory()) return readPackZip(new Uint8Array(readFileSync(path)));
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    // A folder inside is not a pack file: verifyPack names it as one that does not belong.
    files.set(
      entry.name,
      entry.isFile() ? new Uint8Array(readFileSync(join(path, entry.name))) : new Uint8Array(),
    );
  }
  return files;
}

function describeFailure(verdict: PackVerdict): string {
  const f = verdict.firstFailure;
  return f ? `${f.subject}: ${f.detail}` : 'the pack has no manifest';
}

function printVerdict(v: PackVerdict): void {
  if (v.checkpoint) console.log(`Log ${v.origin}, checkpoint of tree size ${v.checkpoint.size}`);
  if (v.period)
    console.log(
      `Period ${v.period.from} – ${v.period.to} (received_at); reports as of tree size ${v.reportsAsOf!.tree_size}`,
    );
  if (v.witnesses) console.log(`Witnesses: ${v.witnesses.summary}`);
  console.log('Controls:');
  for (const c of v.controls)
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.id} ${c.title}${c.ok ? '' : ` — ${c.problem}`}`);
  console.log('Checks:');
  for (const c of v.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.subject}: ${c.detail}`);
}
