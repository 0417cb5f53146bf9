/**
 * Assembles a bundle's files from what was read out of the log. Pure: the store reader
 * (read-from-store.ts), the API reader (read-from-api.ts) and the purge hook all end here.
 */
import { toBase64, toHex, utf8 } from '../../core/bytes.js';
import { sha256 } from '../../core/hash.js';
import { writePackZip } from '../../evidence/pack-zip.js';
import type { LogKeysDocument } from '../../verify/log-keys.js';
import {
  BUNDLE_FORMAT,
  CHECKPOINT_FILE,
  KEYS_FILE,
  MANIFEST_FILE,
  PROOFS_FILE,
  RECORDS_FILE,
} from './bundle-layout.js';
import { type ProofLine, proofLine, type RecordLine, recordLine } from './bundle-lines.js';
import type { BundleManifest } from './bundle-manifest.js';

export interface BundleContents {
  origin: string;
  /** The key-history document (GET /api/v1/log/keys, with its origin). */
  keys: LogKeysDocument;
  /** Key ids of the log keys that signed the checkpoint. */
  keyIds: string[];
  checkpoint: { size: number; rootHash: Uint8Array; note: string };
  /** In ascending seq order, each below the checkpoint's size. */
  entries: RecordLine[];
  /** One per entry, in the same order: its inclusion proof in the checkpoint's tree. */
  proofs: ProofLine[];
  createdAtMs: number;
}

export interface Bundle {
  files: Map<string, Uint8Array>;
  manifest: BundleManifest;
}

/**
 * Entries one bundle may hold: a bundle is built and verified in memory (about 1.5 KB an
 * entry with its proof), so a larger range or purge batch becomes several bundles.
 */
export const MAX_BUNDLE_ENTRIES = 100_000;

export function buildBundle(c: BundleContents): Bundle {
  if (c.entries.length === 0) throw new Error('an archive bundle needs at least one entry');
  if (c.entries.length > MAX_BUNDLE_ENTRIES)
    throw new Error(`a bundle holds at most ${MAX_BUNDLE_ENTRIES} entries; split the range`);
  if (c.proofs.length !== c.entries.length || c.proofs.some((p, i) => p.seq !== c.entries[i]!.seq))
    throw new Error('every entry needs its inclusion proof, in the same order');
  c.entries.forEach((e, i) => {
    if (i > 0 && e.seq <= c.entries[i - 1]!.seq) throw new Error('entries must be in seq order');
    if (e.seq >= c.checkpoint.size)
      throw new Error(`seq ${e.seq} is not in the checkpoint of size ${c.checkpoint.size}`);
  });
  const ndjson = (lines: string[]) => utf8(lines.map((l) => `${l}\n`).join(''));
  const files = new Map<string, Uint8Array>([
    [CHECKPOINT_FILE, utf8(c.checkpoint.note)],
    [KEYS_FILE, utf8(`${JSON.stringify(c.keys, null, 2)}\n`)],
    [RECORDS_FILE, ndjson(c.entries.map(recordLine))],
    [PROOFS_FILE, ndjson(c.proofs.map(proofLine))],
  ]);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    origin: c.origin,
    verifier_key_ids: c.keyIds,
    created_at: new Date(c.createdAtMs).toISOString(),
    checkpoint: { tree_size: c.checkpoint.size, root_hash: toBase64(c.checkpoint.rootHash) },
    entries: {
      count: c.entries.length,
      first_seq: c.entries[0]!.seq,
      last_seq: c.entries.at(-1)!.seq,
    },
    files: [...files].map(([name, bytes]) => ({
      name,
      sha256: toHex(sha256(bytes)),
      bytes: bytes.byteLength,
    })),
  };
  files.set(MANIFEST_FILE, utf8(`${JSON.stringify(manifest, null, 2)}\n`));
  return { files, manifest };
}

/** The bundle as one zip (the evidence pack's writer), stamped with its creation time. */
export function bundleZip(bundle: Bundle): Uint8Array {
  const ordered = new Map([[MANIFEST_FILE, bundle.files.get(MANIFEST_FILE)!], ...bundle.files]);
  return writePackZip(ordered, Date.parse(bundle.manifest.created_at));
}
