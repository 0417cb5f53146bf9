import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readPackZip } from '../evidence/pack-zip.js';
import type { BundleVerdict } from '../retention/archive/verify-bundle.js';

export function trustedKey(opts: { key?: string; keyFile?: string }): string {
  if ((opts.key === undefined) === (opts.keyFile === undefined))
    throw new Error('give the verifier key you trust: --key KEY or --key-file FILE');
  return opts.key ?? readFileSync(opts.keyFile!, 'utf8').trim();
}

/** A bundle zip, or the folder it was unzipped to (its files, flat). */
export function readBundle(path: string): Map<string, Uint8Array> {
  if (!statSync(path).isDirectory()) return readPackZip(new Uint8Array(readFileSync(path)));
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
