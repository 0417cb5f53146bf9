/**
 * Verifies an archive bundle from its files and a verifier key the reader trusts. Pure (no
 * I/O), over the core's signed notes and Merkle proofs and the key-history trust the evidence
 * pack uses. The order names the right culprit: the key history and the checkpoint (against
 * the trusted key), the manifest's claims, then every record (its leaf hash) and its proof
 * (in the checkpoint's tree), and last the manifest's SHA-256 of each file. A changed record
 * is therefore named by its seq, not as "records.ndjson changed".
 */
import { bytesEqual, fromUtf8, toBase64, toHex } from '../../core/bytes.js';
import type { Checkpoint } from '../../core/checkpoint.js';
import { sha256 } from '../../core/hash.js';
import { openLogCheckpoint } from '../../core/key-history.js';
import { leafHash } from '../../core/merkle.js';
import { decodeVerifierKey } from '../../core/note.js';
import { verifyInclusion } from '../../core/proof.js';
import { openTrustedCheckpoint, type TrustedLogKeys, trustLogKeys } from '../../verify/log-keys.js';
import {
  BUNDLE_FILES,
  CHECKPOINT_FILE,
  KEYS_FILE,
  MANIFEST_FILE,
  PROOFS_FILE,
  RECORDS_FILE,
} from './bundle-layout.js';
import { parseProofLine, parseRecordLine, type RecordLine } from './bundle-lines.js';
import { type BundleManifest, parseBundleManifest } from './bundle-manifest.js';

export interface BundleCheck {
  /** The file, or `file (seq N)`: what a failure names. */
  subject: string;
  ok: boolean;
  detail: string;
}

export interface BundleVerdict {
  ok: boolean;
  checks: BundleCheck[];
  /** What `archive verify` names when it exits non-zero. */
  firstFailure?: BundleCheck;
  origin?: string;
  checkpoint?: { size: number; rootHash: string };
  /** Entries whose record and proof both verified. */
  verified: number;
  /** Entries that failed (only the first few are listed among the checks). */
  failed: number;
  /** The verified entries, for a restore: only set when `ok`. */
  entries?: RecordLine[];
}

/** Failed entries listed individually; the rest are counted. */
const LISTED_FAILURES = 20;

class Stop extends Error {}

export function verifyBundle(
  files: ReadonlyMap<string, Uint8Array>,
  trustedKey: string,
  onProgress?: (done: number, total: number) => void,
): BundleVerdict {
  const checks: BundleCheck[] = [];
  const verdict: BundleVerdict = { ok: false, checks, verified: 0, failed: 0 };
  const fail = (subject: string, detail: string): never => {
    checks.push({ subject, ok: false, detail });
    throw new Stop();
  };
  const pass = (subject: string, detail: string) => checks.push({ subject, ok: true, detail });
  const text = (name: string): string => {
    const bytes = files.get(name);
    if (bytes === undefined) return fail(name, 'is missing from the bundle');
    return fromUtf8(bytes);
  };

  try {
    let origin: string;
    try {
      origin = decodeVerifierKey(trustedKey.trim()).name;
    } catch (error) {
      return fail('key', `the key you gave is not a verifier key: ${message(error)}`);
    }
    verdict.origin = origin;

    let manifest: BundleManifest;
    try {
      manifest = parseBundleManifest(text(MANIFEST_FILE));
    } catch (error) {
      if (error instanceof Stop) throw error;
      return fail(MANIFEST_FILE, message(error));
    }
    if (manifest.origin !== origin)
      fail(
        MANIFEST_FILE,
        `is for the log "${manifest.origin}", but the key you gave is for "${origin}": this bundle is from another log`,
      );

    let trusted: TrustedLogKeys;
    try {
      trusted = trustLogKeys(JSON.parse(text(KEYS_FILE)), origin, trustedKey.trim());
    } catch (error) {
      if (error instanceof Stop) throw error;
      return fail(KEYS_FILE, `does not chain from the key you gave: ${message(error)}`);
    }
    pass(
      KEYS_FILE,
      `the key history chains from the key you gave (${trusted.history.length} key(s))`,
    );

    let checkpoint: Checkpoint;
    let signers: string[];
    const note = text(CHECKPOINT_FILE);
    try {
      checkpoint = openTrustedCheckpoint(note, trusted);
      signers = openLogCheckpoint(note, trusted.history).signedBy.map((p) => p.keyId);
    } catch (error) {
      return fail(
        CHECKPOINT_FILE,
        `is not a checkpoint signed by the trusted key: ${message(error)}`,
      );
    }
    verdict.checkpoint = { size: checkpoint.size, rootHash: toBase64(checkpoint.rootHash) };
    pass(
      CHECKPOINT_FILE,
      `signed checkpoint of ${checkpoint.origin}, tree size ${checkpoint.size}`,
    );
    const claimed = manifest.checkpoint;
    if (
      claimed.tree_size !== checkpoint.size ||
      claimed.root_hash !== toBase64(checkpoint.rootHash)
    )
      fail(MANIFEST_FILE, 'names another checkpoint than checkpoint.txt');
    if (manifest.verifier_key_ids.join() !== signers.join())
      fail(MANIFEST_FILE, `names key(s) ${manifest.verifier_key_ids} but ${signers} signed`);

    checkEntries(manifest, checkpoint, text(RECORDS_FILE), text(PROOFS_FILE), verdict, onProgress);

    for (const f of manifest.files) {
      const bytes = files.get(f.name);
      if (bytes === undefined) fail(f.name, 'is missing from the bundle');
      else if (bytes.byteLength !== f.bytes || toHex(sha256(bytes)) !== f.sha256)
        fail(f.name, 'does not match its SHA-256 in the manifest: it was changed');
    }
    const known = new Set<string>([MANIFEST_FILE, ...BUNDLE_FILES]);
    for (const name of files.keys())
      if (!known.has(name)) fail(name, 'is not part of an archive bundle');
    pass(MANIFEST_FILE, `every file matches its SHA-256 (${manifest.files.length} files)`);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  const first = checks.find((c) => !c.ok);
  if (first) verdict.firstFailure = first;
  verdict.ok = first === undefined && verdict.failed === 0;
  if (!verdict.ok) delete verdict.entries;
  return verdict;
}

/** Every record against its leaf hash and every proof against the checkpoint. */
function checkEntries(
  manifest: BundleManifest,
  checkpoint: Checkpoint,
  recordsText: string,
  proofsText: string,
  verdict: BundleVerdict,
  onProgress?: (done: number, total: number) => void,
): void {
  const records = lines(recordsText);
  const proofs = lines(proofsText);
  const { count, first_seq: first, last_seq: last } = manifest.entries;
  const entryFail = (subject: string, detail: string) => {
    verdict.failed += 1;
    if (verdict.failed <= LISTED_FAILURES) verdict.checks.push({ subject, ok: false, detail });
  };
  if (records.length !== count || proofs.length !== count) {
    verdict.checks.push({
      subject: MANIFEST_FILE,
      ok: false,
      detail: `lists ${count} entries; ${RECORDS_FILE} has ${records.length}, ${PROOFS_FILE} ${proofs.length}`,
    });
    throw new Stop();
  }
  const entries: RecordLine[] = [];
  let previous = -1;
  for (let i = 0; i < count; i += 1) {
    if (i % 1000 === 999) onProgress?.(i + 1, count);
    let proof: ReturnType<typeof parseProofLine>;
    try {
      proof = parseProofLine(proofs[i]!);
    } catch (error) {
      entryFail(`${PROOFS_FILE} (line ${i + 1})`, message(error));
      continue;
    }
    const at = `seq ${proof.seq}`;
    let entry: RecordLine;
    try {
      entry = parseRecordLine(records[i]!);
    } catch (error) {
      entryFail(`${RECORDS_FILE} (line ${i + 1}, ${at})`, message(error));
      continue;
    }
    if (entry.seq !== proof.seq) {
      entryFail(`${PROOFS_FILE} (line ${i + 1})`, `is for ${at}, the record is seq ${entry.seq}`);
      continue;
    }
    if (entry.seq <= previous || entry.seq < first || entry.seq > last) {
      entryFail(`${RECORDS_FILE} (${at})`, `is out of order or outside ${first}–${last}`);
      continue;
    }
    previous = entry.seq;
    if (entry.seq >= checkpoint.size) {
      entryFail(`${RECORDS_FILE} (${at})`, `is not below the checkpoint's size ${checkpoint.size}`);
      continue;
    }
    if (!bytesEqual(leafHash(entry.record), entry.leafHash)) {
      entryFail(`${RECORDS_FILE} (${at})`, 'does not match its leaf hash: the record was changed');
      continue;
    }
    try {
      verifyInclusion(
        entry.seq,
        checkpoint.size,
        entry.leafHash,
        proof.inclusion,
        checkpoint.rootHash,
      );
    } catch (error) {
      entryFail(
        `${PROOFS_FILE} (${at})`,
        `does not prove the leaf in the checkpoint: ${message(error)}`,
      );
      continue;
    }
    entries.push(entry);
  }
  onProgress?.(count, count);
  verdict.verified = entries.length;
  verdict.entries = entries;
  if (verdict.failed > 0) {
    if (verdict.failed > LISTED_FAILURES)
      verdict.checks.push({
        subject: RECORDS_FILE,
        ok: false,
        detail: `${verdict.failed - LISTED_FAILURES} more entries failed`,
      });
    throw new Stop();
  }
  verdict.checks.push({
    subject: RECORDS_FILE,
    ok: true,
    detail: `all ${count} records match their leaf hashes and are proven in the checkpoint`,
  });
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
