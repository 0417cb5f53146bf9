import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../core/bytes.js';
import { sha256 } from '../core/hash.js';
import { readPackZip } from '../evidence/pack-zip.js';
import { archiveTargetFromConfig } from '../retention/archive/targets/target-config.js';
import type { BundleVerdict } from '../retention/archive/verify-bundle.js';

export function trustedKey(opts: { key?: string; keyFile?: string }): string {
  if ((opts.key === undefined) === (opts.keyFile === undefined))
    throw new Error('give the verifier key you trust: --key KEY or --key-file FILE');
  return opts.key ?? readFileSync(opts.keyFile!, 'utf8').trim();
}

export interface LoadedBundle {
  files: Map<string, Uint8Array>;
  /** SHA-256 of the zip (what archive.create and the purge hook name); none for a folder. */
  sha256: string | undefined;
}

/**
 * A bundle zip, the folder it was unzipped to, or `s3://bucket/prefix/name.zip` (read with
 * the archive target's configuration: AWS_* environment variables).
 */
export async function loadBundle(path: string): Promise<LoadedBundle> {
  let zip: Uint8Array;
  if (/^s3:\/\//i.test(path)) {
    const at = path.lastIndexOf('/');
    zip = await archiveTargetFromConfig(path.slice(0, at)).get(path.slice(at + 1));
  } else if (statSync(path).isDirectory()) {
    return { files: readBundleFolder(path), sha256: undefined };
  } else {
    zip = new Uint8Array(readFileSync(path));
  }
  return { files: readPackZip(zip), sha256: toHex(sha256(zip)) };
}

/** The files of an unzipped bundle, flat (a folder inside is named as not belonging). */
function readBundleFolder(path: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(path, { withFileTypes: true }))
    files.set(
      entry.name,
      entry.isFile() ? new Uint8Array(readFileSync(join(path, entry.name))) : new Uint8Array(),
    );
  return files;
}

export function describeFailure(verdict: BundleVerdict): string {
  const f = verdict.firstFailure;
  return f ? `${f.subject}: ${f.detail}` : 'no records verified';
}
