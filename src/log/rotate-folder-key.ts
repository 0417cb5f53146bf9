import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths } from '../data-folder.js';
import { ulidGenerator } from '../util/ids.js';
import { META_VERIFIER_KEY } from './init-log.js';
import { findLogKey, installLogKey, readStagedKey, stagedLogKeys, stageLogKey } from './log-key.js';
import type { OpenLog } from './open-log.js';
import { type RotatedLogKey, rotateLogKey } from './rotate-log-key.js';

export interface FolderRotation extends RotatedLogKey {
  /** The data folder's log.key, now the new key. */
  keyFile: string;
  /** Where the old key is kept (0600). */
  retiredKeyFile: string;
  /** True when a key made earlier with `--prepare` was used. */
  usedPrepared: boolean;
}

/**
 * Rotates the key of a log opened from `dataDir` (whose log.key is the current key): takes
 * the key prepared beside it (`log.key.<id>.new`) or makes one, commits the handover, then
 * installs the new key as log.key and keeps the old one as `log.key.<id>.retired`. The key
 * file is staged BEFORE the commit and installed after it, so a crash at any point leaves
 * the folder holding whichever key the store names as current (openLog finishes an
 * interrupted install).
 */
export async function rotateFolderKey(
  log: OpenLog,
  dataDir: string,
  options: { actor: { id: string; type: string }; reason?: string },
): Promise<FolderRotation> {
  // The key the log names now (not necessarily the one `log` was opened with).
  const currentKey = await log.store.getMeta(META_VERIFIER_KEY);
  const current = currentKey && findLogKey(dataDir, log.origin, currentKey);
  if (!current || current.file !== dataPaths(dataDir).logKey) {
    throw new Error(
      `${dataPaths(dataDir).logKey} is not the log's current key (${currentKey}); rotate where the current key is`,
    );
  }
  const staged = stagedLogKeys(dataDir);
  if (staged.length > 1) {
    throw new Error(
      `several next keys are prepared (${staged.map((s) => s.file).join(', ')}); delete all but one`,
    );
  }
  const prepared = staged[0];
  const next = prepared
    ? { signer: readStagedKey(prepared.file, log.origin), file: prepared.file }
    : stageLogKey(dataDir, log.origin);
  let rotated: RotatedLogKey;
  try {
    rotated = await rotateLogKey(log.store, {
      current: current.signer,
      next: next.signer,
      actor: options.actor,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      clock: log.clock,
      newId: ulidGenerator(),
    });
  } catch (error) {
    // Nothing was committed: a key made for this run is discarded, a prepared one kept.
    if (!prepared) rmSync(next.file, { force: true });
    throw error;
  }
  installLogKey(dataDir, next.file);
  return {
    ...rotated,
    keyFile: dataPaths(dataDir).logKey,
    retiredKeyFile: join(dataDir, `log.key.${rotated.previous.keyId}.retired`),
    usedPrepared: prepared !== undefined,
  };
}

/** Makes the next key ahead of a rotation, to copy to every server of the log first. */
export function prepareFolderKey(dataDir: string, origin: string): ReturnType<typeof stageLogKey> {
  const staged = stagedLogKeys(dataDir);
  if (staged.length > 0) {
    throw new Error(
      `a next key is already prepared in ${staged[0]!.file}; run \`evident keys rotate-log-key\` to use it, or delete it`,
    );
  }
  return stageLogKey(dataDir, origin);
}
