/**
 * One look at a log by a second party: is the checkpoint it serves now an append-only
 * extension of the last one this monitor accepted (RFC 9162 consistency proof from the
 * server, verified here), and does it carry the cosignatures the witness policy requires?
 * A rollback, a fork or a missing cosignature becomes a finding; only a clean checkpoint
 * replaces the remembered one, so a monitor never "forgets" what it saw.
 */
import type { ApiClient } from '../client/api-client.js';
import { bytesEqual, fromBase64, toBase64 } from '../core/bytes.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { verifyConsistency } from '../core/proof.js';
import {
  checkCosignatures,
  describeVerdict,
  type WitnessPolicy,
  type WitnessVerdict,
} from '../core/witness-policy.js';
import { fetchTrustedLogKeys, openTrustedCheckpoint } from '../verify/log-keys.js';
import type { MonitorState } from './monitor-state.js';

export type FindingKind =
  | 'rollback' // the log is smaller than a checkpoint it signed before
  | 'fork' // same size, other root; or no valid consistency proof from the old checkpoint
  | 'wrong_log' // another origin than the one remembered
  | 'bad_checkpoint' // the served checkpoint is not validly signed by a trusted log key
  | 'missing_cosignature'; // fewer valid cosignatures than the witness policy requires

export interface Finding {
  kind: FindingKind;
  message: string;
}

export interface LogLook {
  findings: Finding[];
  /** The state to remember: the new checkpoint if it is clean, else the old state. */
  state: MonitorState | undefined;
  checkpoint?: Checkpoint;
  verdict?: WitnessVerdict;
}

export interface CheckLogOptions {
  url: string;
  previous: MonitorState | undefined;
  policy?: WitnessPolicy;
  /** Pin the log's verifier key (recommended). */
  verifierKey?: string;
  now: () => Date;
}

export async function checkLog(client: ApiClient, options: CheckLogOptions): Promise<LogLook> {
  const { previous } = options;
  const info = await client.getJson<{ origin: string; checkpoint: string }>('/api/v1/log');
  const look: LogLook = { findings: [], state: previous };
  if (previous && info.origin !== previous.origin) {
    look.findings.push({
      kind: 'wrong_log',
      message: `the server now serves the log "${info.origin}", not "${previous.origin}"`,
    });
    return look;
  }
  let cp: Checkpoint;
  try {
    const keys = await fetchTrustedLogKeys(client, info.origin, options.verifierKey);
    cp = openTrustedCheckpoint(info.checkpoint, keys);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    look.findings.push({
      kind: 'bad_checkpoint',
      message: `the log's checkpoint is not validly signed by a trusted key (${error.code}: ${error.message})`,
    });
    return look;
  }
  look.checkpoint = cp;
  if (previous) {
    const finding = await consistencyFinding(client, previous, cp);
    if (finding) look.findings.push(finding);
  }
  if (options.policy) {
    look.verdict = checkCosignatures(info.checkpoint, options.policy);
    if (!look.verdict.ok) {
      look.findings.push({
        kind: 'missing_cosignature',
        message: `the checkpoint of size ${cp.size} is not witnessed as the policy requires: ${describeVerdict(look.verdict)}`,
      });
    }
  }
  if (look.findings.length === 0) {
    look.state = {
      url: options.url,
      origin: cp.origin,
      size: cp.size,
      root_hash: toBase64(cp.rootHash),
      checkpoint: info.checkpoint,
      seen_at: options.now().toISOString(),
    };
  }
  return look;
}

async function consistencyFinding(
  client: ApiClient,
  previous: MonitorState,
  cp: Checkpoint,
): Promise<Finding | undefined> {
  const oldRoot = fromBase64(previous.root_hash);
  if (!oldRoot) throw new Error('the monitor state holds a root hash that is not base64');
  const seen = `the checkpoint of size ${previous.size} seen at ${previous.seen_at}`;
  if (cp.size < previous.size) {
    return {
      kind: 'rollback',
      message: `the log now has ${cp.size} entries, fewer than ${seen}: it was rolled back or replaced, and its checkpoint is signed with the log key`,
    };
  }
  if (cp.size === previous.size) {
    return bytesEqual(cp.rootHash, oldRoot)
      ? undefined
      : {
          kind: 'fork',
          message: `the log's tree of size ${cp.size} differs from ${seen}: two histories signed with one key (a fork)`,
        };
  }
  if (previous.size === 0) return undefined;
  let hashes: string[];
  try {
    ({ hashes } = await client.getJson<{ hashes: string[] }>('/api/v1/log/proof/consistency', {
      from: previous.size,
      to: cp.size,
    }));
  } catch (error) {
    return {
      kind: 'fork',
      message: `the server gave no consistency proof from ${previous.size} to ${cp.size} (${(error as Error).message})`,
    };
  }
  const proof = hashes.map((h) => fromBase64(h));
  try {
    if (proof.some((h) => h === undefined)) throw new CoreError('INVALID_PROOF', 'not base64');
    verifyConsistency(previous.size, cp.size, proof as Uint8Array[], oldRoot, cp.rootHash);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    return {
      kind: 'fork',
      message: `the log of size ${cp.size} does NOT extend ${seen}: entries before ${previous.size} were changed (a fork or a rewrite)`,
    };
  }
  return undefined;
}
