/**
 * The dashboard's `evident proof --since`: the pasted checkpoint must be signed by the log
 * key of its size, and the log's current trusted checkpoint must extend it.
 */
import { bytesEqual, fromBase64 } from '../../src/core/bytes.js';
import { openLogCheckpoint } from '../../src/core/key-history.js';
import { verifyConsistency } from '../../src/core/proof.js';
import { openTrustedCheckpoint, trustLogKeys } from '../../src/verify/log-keys.js';
import { apiGet } from './api.js';
import { browserKeyPins } from './key-pin.js';

export async function checkPastedCheckpoint(
  text: string,
): Promise<{ ok: boolean; message: string }> {
  const log = await apiGet<{ origin: string; checkpoint: string }>('/api/v1/log');
  const trusted = trustLogKeys(
    await apiGet<unknown>('/api/v1/log/keys'),
    log.origin,
    browserKeyPins.get(log.origin),
  );
  const current = openTrustedCheckpoint(log.checkpoint, trusted);
  const normalised = text.replace(/\r\n/g, '\n').trim();
  const older = openLogCheckpoint(`${normalised}\n`, trusted.history).checkpoint;
  if (older.size > current.size) {
    return {
      ok: false,
      message: `The log now has ${current.size} entries, fewer than the ${older.size} your checkpoint commits to: it was rolled back or replaced.`,
    };
  }
  if (older.size === current.size) {
    return bytesEqual(older.rootHash, current.rootHash)
      ? { ok: true, message: `The log is still exactly your checkpoint of size ${older.size}.` }
      : {
          ok: false,
          message: `The log's tree of size ${older.size} differs from your checkpoint's: its history was rewritten.`,
        };
  }
  const proof = await apiGet<{ hashes: string[] }>('/api/v1/log/proof/consistency', {
    from: older.size,
    to: current.size,
  });
  const hashes = proof.hashes.map((h) => fromBase64(h));
  if (hashes.some((h) => h === undefined))
    return { ok: false, message: 'The proof has a malformed hash.' };
  try {
    verifyConsistency(
      older.size,
      current.size,
      hashes as Uint8Array[],
      older.rootHash,
      current.rootHash,
    );
  } catch {
    return {
      ok: false,
      message: `The log of size ${current.size} does NOT extend your checkpoint of size ${older.size}: entries before ${older.size} were changed.`,
    };
  }
  return {
    ok: true,
    message: `Verified in this browser: the log of size ${current.size} extends your checkpoint of size ${older.size}; nothing before it changed.`,
  };
}
