import type { Command } from 'commander';
import { openStore } from '../store/open-store.js';
import { exposureWarnings } from '../util/private-files.js';
import type { VerifyReport } from '../verify/report.js';
import { applyWitnessPolicy, readWitnessPolicy } from '../verify/witness-check.js';
import { clientFor } from './api-command.js';
import { resolveCredential } from './credentials/resolve-credential.js';
import { startProgress } from './progress.js';

export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'verify the whole log: offline from a data folder (--data) or database (--db), or through the API (--url)',
    )
    .option('-d, --data <dir>', 'verify a data folder offline (opened read-only)')
    .option('--db <url>', 'verify a PostgreSQL store directly')
    .option('-u, --url <url>', 'verify a running server through its public API (env EVIDENT_URL)')
    .option('-t, --token <token>', 'API token for --url (env EVIDENT_TOKEN)')
    .option(
      '-k, --key <verifier-key>',
      'pin the log verifier key (<name>+<id>+<base64>); default: the one the log states',
    )
    .option(
      '--witness-policy <file>',
      'require the verified checkpoint to carry k valid witness cosignatures (docs/witnesses.md)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (opts: {
        data?: string;
        db?: string;
        url?: string;
        token?: string;
        key?: string;
        json?: boolean;
        witnessPolicy?: string;
      }) => {
        const policy =
          opts.witnessPolicy === undefined ? undefined : readWitnessPolicy(opts.witnessPolicy);
        const targets = [opts.data, opts.db, opts.url].filter((t) => t !== undefined).length;
        if (targets !== 1) throw new Error('give exactly one of --data DIR, --db URL or --url URL');
        let report: VerifyReport;
        let pinned = opts.key !== undefined;
        if (opts.url === undefined) {
          const location = {
            dataDir: opts.data ?? '',
            ...(opts.db ? { databaseUrl: opts.db } : {}),
          };
          // The verifiers load when they run: `evident verify --help` need not pay for them.
          const { verifyStore } = await import('../verify/verify-store.js');
          const progress = startProgress('verify', undefined);
          try {
            const store = await openStore(location, { readonly: true });
            try {
              report = await verifyStore(store, {
                ...(opts.key ? { verifierKey: opts.key } : {}),
                // Worker threads read and check pages through their own read-only handles.
                location,
                onProgress: (done, total) => progress.update(done, total),
              });
            } finally {
              await store.close();
            }
          } catch (error) {
            // A database file that SQLite cannot read is a verification failure, not a usage error.
            if (!/^SQLITE_(CORRUPT|NOTADB)/.test(String((error as { code?: unknown }).code)))
              throw error;
            report = unreadable((error as Error).message);
          } finally {
            progress.stop();
          }
        } else {
          const credential = resolveCredential({ url: opts.url, token: opts.token });
          const client = clientFor(credential);
          const { verifyRemote } = await import('../verify/verify-remote.js');
          const progress = startProgress('verify', undefined);
          try {
            const remote = await verifyRemote(client, {
              ...(opts.key ? { verifierKey: opts.key } : {}),
              // Worker threads fetch and check pages in parallel, each with its own client.
              connection: { baseUrl: credential.url, token: credential.token },
              onProgress: (done, total) => progress.update(done, total),
            });
            pinned = remote.pinned;
            report = remote;
          } finally {
            progress.stop();
          }
        }
        if (policy) applyWitnessPolicy(report, report.checkpoint, policy);
        if (opts.json) {
          console.log(JSON.stringify(report, null, 2));
        } else if (report.ok) {
          console.log(
            `OK: ${report.entriesChecked} entries, ${report.checkpointsChecked} signed checkpoint(s)` +
              (report.nodesChecked > 0 ? `, ${report.nodesChecked} tree nodes` : '') +
              ` verified; tree size ${report.treeSize}, root ${report.rootHash}`,
          );
          if (report.trust !== undefined) console.log(`Keys: ${report.trust}.`);
          if (report.purged && report.purged.entries > 0) {
            console.log(
              `Purged: ${report.purged.entries} payload(s), each explained by the log's retention.purge events (${report.purged.purgeEvents} of them): policy in force, age past its minimum and maximum, no live legal hold.`,
            );
          }
          if (report.witnesses) console.log(`Witnesses: ${report.witnesses.summary}.`);
          if (!pinned) {
            console.log(
              'Note: verified with the key the log states. Pin the published key with --key for independent assurance.',
            );
          }
        } else {
          const first = report.problems[0]!;
          console.error(
            `FAILED${first.seq === undefined ? '' : ` at seq ${first.seq}`}: ${first.message} [${first.kind}]`,
          );
        }
        // Readable by others is a confidentiality problem, not a broken log: a warning only.
        if (opts.data !== undefined)
          for (const line of exposureWarnings(opts.data)) console.error(line);
        if (!report.ok) process.exitCode = 2;
      },
    );
}

function unreadable(reason: string): VerifyReport {
  return {
    ok: false,
    treeSize: 0,
    entriesChecked: 0,
    checkpointsChecked: 0,
    nodesChecked: 0,
    problems: [{ kind: 'store_unreadable', message: `the database cannot be read: ${reason}` }],
  };
}
