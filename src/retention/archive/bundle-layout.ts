/**
 * What an archive bundle holds (docs/archive.md): payloads taken out of the log before a
 * purge, each with its leaf hash and an inclusion proof against ONE signed checkpoint, so the
 * bundle proves itself offline with nothing but the log's verifier key.
 */

export const BUNDLE_FORMAT = 'evident-archive/v1';

/** Names the bundle, its checkpoint and the SHA-256 of every other file. */
export const MANIFEST_FILE = 'manifest.json';
/** The signed checkpoint (C2SP signed note) every proof is against, byte for byte. */
export const CHECKPOINT_FILE = 'checkpoint.txt';
/** The log's key history (as GET /api/v1/log/keys): an older trusted key chains to the signer. */
export const KEYS_FILE = 'keys.json';
/** One canonical JSON line per entry: `{"leaf_hash","record","seq"}`, in seq order. */
export const RECORDS_FILE = 'records.ndjson';
/** One canonical JSON line per entry: `{"inclusion","seq"}` (RFC 9162 audit path, base64). */
export const PROOFS_FILE = 'proofs.ndjson';

export const BUNDLE_FILES = [CHECKPOINT_FILE, KEYS_FILE, RECORDS_FILE, PROOFS_FILE] as const;

/** `archive-<first>-<last>-t<tree size>.zip`, zero-padded so names sort by seq. */
export function bundleName(firstSeq: number, lastSeq: number, treeSize: number): string {
  const pad = (n: number) => String(n).padStart(12, '0');
  return `archive-${pad(firstSeq)}-${pad(lastSeq)}-t${treeSize}.zip`;
}
