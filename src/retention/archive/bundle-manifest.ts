import { BUNDLE_FILES, BUNDLE_FORMAT } from './bundle-layout.js';

export interface BundleFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** manifest.json: what the bundle claims; the verifier checks every field against the files. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  origin: string;
  /** The signed-note key id(s) of the log key(s) that signed the checkpoint, 8 hex digits. */
  verifier_key_ids: string[];
  created_at: string;
  checkpoint: { tree_size: number; root_hash: string };
  entries: { count: number; first_seq: number; last_seq: number };
  files: BundleFile[];
}

/** Parses manifest.json strictly; throws an Error saying what is wrong. */
export function parseBundleManifest(text: string): BundleManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('is not JSON');
  }
  const m = value as Partial<BundleManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== BUNDLE_FORMAT)
    throw new Error(`is not a ${BUNDLE_FORMAT} manifest`);
  if (typeof m.origin !== 'string' || m.origin === '') throw new Error('names no origin');
  if (!Array.isArray(m.verifier_key_ids) || !m.verifier_key_ids.every(isKeyId))
    throw new Error('has malformed verifier_key_ids');
  if (typeof m.created_at !== 'string') throw new Error('has no created_at');
  const c = m.checkpoint;
  if (!c || !isSize(c.tree_size) || typeof c.root_hash !== 'string')
    throw new Error('has a malformed checkpoint (tree_size, root_hash)');
  const e = m.entries;
  if (!e || !isSize(e.count) || !isSize(e.first_seq) || !isSize(e.last_seq))
    throw new Error('has a malformed entries summary (count, first_seq, last_seq)');
  if (!Array.isArray(m.files) || !m.files.every(isBundleFile))
    throw new Error('has a malformed file list');
  const names = m.files.map((f) => f.name).sort();
  if (names.join() !== [...BUNDLE_FILES].sort().join())
    throw new Error(`must list exactly ${BUNDLE_FILES.join(', ')}`);
  return m as BundleManifest;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isKeyId(v: unknown): boolean {
  return typeof v === 'string' && /^[0-9a-f]{8}$/.test(v);
}

function isBundleFile(v: unknown): v is BundleFile {
  const f = v as Partial<BundleFile> | null;
  return (
    f !== null &&
    typeof f === 'object' &&
    typeof f.name === 'string' &&
    typeof f.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(f.sha256) &&
    isSize(f.bytes)
  );
}
