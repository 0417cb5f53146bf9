/**
 * "Verify in this browser": the same checks as `evident proof --id`, with src/core and
 * src/verify bundled for the browser. The page trusts nothing the server says without a
 * signature: the record must hash to its leaf, the proof must lead from the leaf to the root
 * of a checkpoint signed by a key chained from the one this browser pinned.
 */
import { bytesEqual, fromBase64, toBase64 } from '../../src/core/bytes.js';
import { canonicalize } from '../../src/core/canonical-json.js';
import { leafHash } from '../../src/core/merkle.js';
import { verifyInclusion } from '../../src/core/proof.js';
import { describeTrust, openTrustedCheckpoint, trustLogKeys } from '../../src/verify/log-keys.js';
import { apiGet } from './api.js';
import { type KeyPins, pinnedKey } from './key-pin.js';

export interface EventEntry {
  seq: number;
  leaf_hash: string;
  record: Record<string, unknown>;
  flags?: string[];
  skew_ms?: number;
}

export type Verification =
  | {
      ok: true;
      treeSize: number;
      rootHash: string;
      checkpoint: string;
      trust: string;
      /** Set when this browser pinned the key just now (first use). */
      pinnedNow: boolean;
    }
  | { ok: false; problem: string; keyChanged: boolean };

export async function verifyEventInBrowser(
  entry: EventEntry,
  pins: KeyPins,
): Promise<Verification> {
  const log = await apiGet<{ origin: string; checkpoint: string }>('/api/v1/log');
  const keys = await apiGet<unknown>('/api/v1/log/keys');
  const pin = pinnedKey(pins, log.origin);
  let trusted: ReturnType<typeof trustLogKeys>;
  try {
    trusted = trustLogKeys(keys, log.origin, pin);
  } catch (error) {
    return {
      ok: false,
      keyChanged: pin !== undefined,
      problem:
        pin === undefined
          ? `the log's key list does not check out: ${message(error)}`
          : `the log's keys no longer chain from the key this browser pinned (${pin}): ${message(error)}. If the operator says the key was replaced, clear the pin on the Integrity page.`,
    };
  }
  let pinnedNow = false;
  if (pin === undefined) {
    pins.set(log.origin, trusted.history.at(-1)!.verifierKey);
    pinnedNow = true;
  }
  try {
    const checkpoint = openTrustedCheckpoint(log.checkpoint, trusted);
    const leaf = leafHash(canonicalize(entry.record));
    const stated = fromBase64(entry.leaf_hash);
    if (stated === undefined || !bytesEqual(stated, leaf)) {
      return fail('the record does not hash to the leaf hash the server states');
    }
    const proof = await apiGet<{
      seq: number;
      tree_size: number;
      leaf_hash: string;
      hashes: string[];
    }>('/api/v1/log/proof/inclusion', { seq: entry.seq, tree_size: checkpoint.size });
    const proofLeaf = fromBase64(proof.leaf_hash);
    if (proof.seq !== entry.seq || proof.tree_size !== checkpoint.size) {
      return fail('the server answered a proof for another entry or tree size');
    }
    if (proofLeaf === undefined || !bytesEqual(proofLeaf, leaf)) {
      return fail('the proof is for a different leaf hash than this record');
    }
    const hashes = proof.hashes.map((h) => fromBase64(h));
    if (hashes.some((h) => h === undefined)) return fail('the proof has a malformed hash');
    verifyInclusion(entry.seq, checkpoint.size, leaf, hashes as Uint8Array[], checkpoint.rootHash);
    return {
      ok: true,
      treeSize: checkpoint.size,
      rootHash: toBase64(checkpoint.rootHash),
      checkpoint: log.checkpoint,
      trust: describeTrust(trusted),
      pinnedNow,
    };
  } catch (error) {
    return fail(message(error));
  }
}

function fail(problem: string): Verification {
  return { ok: false, problem, keyChanged: false };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
