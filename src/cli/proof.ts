import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bytesEqual, fromBase64 } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import { openLogCheckpoint } from '../core/key-history.js';
import { leafHash } from '../core/merkle.js';
import { verifyConsistency, verifyInclusion } from '../core/proof.js';
import { checkCosignatures, describeVerdict } from '../core/witness-policy.js';
import { describeTrust, fetchTrustedLogKeys, openTrustedCheckpoint } from '../verify/log-keys.js';
import { readWitnessPolicy } from '../verify/witness-check.js';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';
import { parseNonNegativeInt } from './options.js';

interface ProofOptions {
  seq?: number;
  id?: string;
  from?: number;
  since?: string;
  to?: number;
  url?: string;
  token?: string;
  data?: string;
  key?: string;
  witnessPolicy?: string;
}

export function proofCommand(program: Command): void {
  program
    .command('proof')
    .description(
      'fetch an inclusion proof (--seq or --id) or a consistency proof (--from [--to]) and verify it against the signed checkpoint',
    )
    .option('--seq <n>', 'leaf index of the event', parseNonNegativeInt)
    .option('--id <id>', 'event id (looked up to its seq)')
    .option(
      '--since <file>',
      'a signed checkpoint you kept: prove the log still extends it (consistency)',
    )
    .option(
      '--from <size>',
      'older tree size: fetch a consistency proof to the latest checkpoint',
      parseNonNegativeInt,
    )
    .option(
      '--to <size>',
      'tree size for an inclusion proof (default: the latest checkpoint)',
      parseNonNegativeInt,
    )
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .option(
      '-k, --key <verifier-key>',
      'pin a log verifier key (after rotations, an older key chains to the current one); default: the one the server states',
    )
    .option(
      '--witness-policy <file>',
      'also require k valid witness cosignatures on the checkpoint (docs/witnesses.md)',
    )
    .action(async (opts: ProofOptions) => {
      const modes = [
        opts.seq !== undefined,
        opts.id !== undefined,
        opts.from !== undefined,
        opts.since !== undefined,
      ].filter(Boolean).length;
      if (modes !== 1) throw new Error('give one of --seq N, --id ID, --since FILE or --from SIZE');
      const policy =
        opts.witnessPolicy === undefined ? undefined : readWitnessPolicy(opts.witnessPolicy);
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      const info = await client.getJson<{ origin: string; checkpoint: string }>('/api/v1/log');
      const keys = await fetchTrustedLogKeys(client, info.origin, opts.key);
      const checkpoint = openTrustedCheckpoint(info.checkpoint, keys);
      const signedBy = keys.history.at(-1)!.keyId;
      if (policy !== undefined) {
        const verdict = checkCosignatures(info.checkpoint, policy);
        if (!verdict.ok) {
          process.exitCode = 2;
          throw new Error(
            `the log's checkpoint of size ${checkpoint.size} is not witnessed as your policy requires: ${describeVerdict(verdict)}`,
          );
        }
        console.error(
          `Witnessed: checkpoint of size ${checkpoint.size} ${describeVerdict(verdict)}.`,
        );
      }

      if (opts.from !== undefined || opts.since !== undefined) {
        // With --since, the older side is a checkpoint the user kept, perhaps signed by a key
        // since retired: it must be signed by the key of its size; the proof ties it to the
        // trusted latest checkpoint.
        const older =
          opts.since === undefined
            ? undefined
            : openLogCheckpoint(readFileSync(opts.since, 'utf8'), keys.history).checkpoint;
        const from = older?.size ?? opts.from!;
        if (older && older.size > checkpoint.size) {
          process.exitCode = 2;
          throw new Error(
            `the log now has ${checkpoint.size} entries, fewer than the ${older.size} your checkpoint commits to: it was rolled back or replaced`,
          );
        }
        if (older && older.size === checkpoint.size) {
          if (!bytesEqual(older.rootHash, checkpoint.rootHash)) {
            process.exitCode = 2;
            throw new Error(
              `the log's tree of size ${older.size} differs from your checkpoint's: its history was rewritten`,
            );
          }
          console.error(
            `Verified: the log is still exactly your checkpoint of size ${older.size}.`,
          );
          return;
        }
        const proof = await client.getJson<{ from: number; to: number; hashes: string[] }>(
          '/api/v1/log/proof/consistency',
          { from, to: checkpoint.size },
        );
        if (older) {
          try {
            verifyConsistency(
              older.size,
              checkpoint.size,
              decodeHashes(proof.hashes),
              older.rootHash,
              checkpoint.rootHash,
            );
          } catch {
            process.exitCode = 2;
            throw new Error(
              `the log of size ${checkpoint.size} does NOT extend your checkpoint of size ${older.size}: entries before ${older.size} were changed (a fork or rewrite)`,
            );
          }
        }
        console.log(JSON.stringify({ ...proof, checkpoint: info.checkpoint }, null, 2));
        console.error(
          older
            ? `Verified: the log of size ${checkpoint.size} extends your checkpoint of size ${older.size}; nothing before it changed.`
            : '(not verified: pass --since FILE with the older signed checkpoint to verify this proof)',
        );
        return;
      }

      let seq = opts.seq;
      let expectedLeaf: Uint8Array | undefined;
      if (opts.id !== undefined) {
        const entry = await client.getJson<{ seq: number; leaf_hash: string; record: unknown }>(
          `/api/v1/events/${encodeURIComponent(opts.id)}`,
        );
        seq = entry.seq;
        expectedLeaf = leafHash(canonicalize(entry.record));
        const stated = fromBase64(entry.leaf_hash);
        if (!stated || !bytesEqual(stated, expectedLeaf))
          throw new Error(`event ${opts.id}: the record does not hash to the stated leaf hash`);
      }
      const treeSize = opts.to ?? checkpoint.size;
      const proof = await client.getJson<{
        seq: number;
        tree_size: number;
        leaf_hash: string;
        hashes: string[];
      }>('/api/v1/log/proof/inclusion', { seq, tree_size: treeSize });
      console.log(JSON.stringify({ ...proof, checkpoint: info.checkpoint }, null, 2));
      if (treeSize !== checkpoint.size) {
        console.error(
          `(not verified: the latest checkpoint has size ${checkpoint.size}, the proof is for ${treeSize})`,
        );
        return;
      }
      const leaf = fromBase64(proof.leaf_hash);
      if (!leaf || (expectedLeaf && !bytesEqual(leaf, expectedLeaf)))
        throw new Error('the proof is for a different leaf hash');
      verifyInclusion(
        proof.seq,
        proof.tree_size,
        leaf,
        decodeHashes(proof.hashes),
        checkpoint.rootHash,
      );
      console.error(
        `Verified: entry ${proof.seq} is in the tree of size ${proof.tree_size} signed by ${info.origin} (key ${signedBy}; ${describeTrust(keys)}).`,
      );
    });
}

function decodeHashes(hashes: string[]): Uint8Array[] {
  return hashes.map((h) => {
    const bytes = fromBase64(h);
    if (!bytes) throw new Error('the proof contains a hash that is not base64');
    return bytes;
  });
}
