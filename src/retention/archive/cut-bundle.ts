/**
 * A bundle of stored entries, cut and checked: built from the store, then verified with the
 * log's own current key before anyone relies on it (as `pack create` does), so a bundle that
 * would not verify offline is never written, and never lets a purge go ahead.
 */
import { toHex } from '../../core/bytes.js';
import { sha256 } from '../../core/hash.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { type BundleContents, buildBundle, bundleZip } from './build-bundle.js';
import { bundleName } from './bundle-layout.js';
import type { RecordLine } from './bundle-lines.js';
import type { BundleManifest } from './bundle-manifest.js';
import { contentsFromStore, type SignedCheckpoint } from './read-from-store.js';
import { verifyBundle } from './verify-bundle.js';

export interface CutBundle {
  /** The file name it is stored under (bundle-layout.ts). */
  name: string;
  zip: Uint8Array;
  sha256: string;
  manifest: BundleManifest;
  /** The log's current verifier key: what `archive verify --key` takes. */
  verifierKey: string;
}

export async function bundleFromStore(
  store: Store,
  origin: string,
  entries: readonly RecordLine[],
  checkpoint: SignedCheckpoint,
  clock: Clock,
): Promise<CutBundle> {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  return cutBundle(await contentsFromStore(store, origin, sorted, checkpoint, clock));
}

/** Builds, self-verifies and zips a bundle from what was read (from a store or the API). */
export function cutBundle(contents: BundleContents): CutBundle {
  const bundle = buildBundle(contents);
  const verifierKey = contents.keys.current;
  const verdict = verifyBundle(bundle.files, verifierKey);
  if (!verdict.ok) {
    const f = verdict.firstFailure;
    throw new Error(`the bundle does not verify: ${f ? `${f.subject}: ${f.detail}` : 'unknown'}`);
  }
  const zip = bundleZip(bundle);
  const { first_seq: first, last_seq: last } = bundle.manifest.entries;
  return {
    name: bundleName(first, last, contents.checkpoint.size),
    zip,
    sha256: toHex(sha256(zip)),
    manifest: bundle.manifest,
    verifierKey,
  };
}
