/**
 * Verifies an evidence pack from its files and a verifier key the auditor trusts. Pure (no
 * I/O): `evident pack verify` and verify.html run this same code, over the core's Merkle
 * proofs and signed notes. The checks run in the order that names the right culprit: the
 * checkpoint (against the trusted key), the notarisation event in it (which pins the
 * manifest's SHA-256), the manifest, every file's hash, then every proof.
 */
import { bytesEqual, fromBase64, fromUtf8, toBase64, toHex } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { sha256 } from '../core/hash.js';
import { openLogCheckpoint } from '../core/key-history.js';
import { leafHash } from '../core/merkle.js';
import { decodeVerifierKey } from '../core/note.js';
import { verifyConsistency, verifyInclusion } from '../core/proof.js';
import {
  checkCosignatures,
  describeVerdict,
  type WitnessPolicy,
  type WitnessVerdict,
} from '../core/witness-policy.js';
import { openTrustedCheckpoint, trustLogKeys } from '../verify/log-keys.js';
import {
  CHECKPOINT_FILE,
  EVENTS_FILE,
  KEYS_FILE,
  MANIFEST_FILE,
  NOTARISATION_FILE,
  PACK_NOTARISE_ACTION,
  PROOFS_FILE,
  SEAL_FILES,
  SINCE_FILE,
} from './pack-layout.js';
import { type PackManifest, parseManifest } from './pack-manifest.js';
import { asNotarisation, asProofs, type ProofsFile, parseSealJson } from './seal-files.js';

/** The source of the log's own events (log/self-source.ts; repeated here to stay pure). */
const SELF_SOURCE = 'evident';

export interface PackCheck {
  /** The file (or `file (detail)`) the check is about: what a failure names. */
  subject: string;
  ok: boolean;
  /** What was checked, or why it failed. */
  detail: string;
}

export interface ControlResult {
  id: string;
  title: string;
  evidence: string;
  files: string[];
  ok: boolean;
  /** The first problem among its files, when not ok. */
  problem?: string;
}

export interface PackVerdict {
  ok: boolean;
  checks: PackCheck[];
  controls: ControlResult[];
  /** The first failed check: what `pack verify` names when it exits non-zero. */
  firstFailure?: PackCheck;
  origin?: string;
  checkpoint?: { size: number; rootHash: string };
  period?: PackManifest['period'];
  reportsAsOf?: PackManifest['reports_as_of'];
  /** With a witness policy: who cosigned the checkpoint. */
  witnesses?: WitnessVerdict & { summary: string };
}

class Stop extends Error {}

/**
 * Verifies every file of a pack (`files`: name → bytes) against `trustedKey`; with a witness
 * policy, its checkpoint must also carry the cosignatures of k of the policy's witnesses.
 */
export function verifyPack(
  files: ReadonlyMap<string, Uint8Array>,
  trustedKey: string,
  policy?: WitnessPolicy,
): PackVerdict {
  const checks: PackCheck[] = [];
  const problems = new Map<string, string>();
  const fail = (file: string, detail: string, subject = file): never => {
    checks.push({ subject, ok: false, detail });
    if (!problems.has(file)) problems.set(file, detail);
    throw new Stop();
  };
  const pass = (subject: string, detail: string) => checks.push({ subject, ok: true, detail });
  const text = (name: string): string => {
    const bytes = files.get(name);
    if (bytes === undefined) return fail(name, 'is missing from the pack');
    return fromUtf8(bytes);
  };
  /** Runs one step; a failure is recorded and the step abandoned (later steps still run). */
  const step = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      return undefined;
    }
  };
  const verdict: PackVerdict = { ok: false, checks, controls: [] };

  // 1. The key history, trusted from the auditor's key.
  const trusted = step(() => {
    let origin: string;
    try {
      origin = decodeVerifierKey(trustedKey.trim()).name;
    } catch (error) {
      return fail('key', `the key you gave is not a verifier key: ${message(error)}`);
    }
    verdict.origin = origin;
    const raw = text(KEYS_FILE);
    try {
      const keys = trustLogKeys(JSON.parse(raw), origin, trustedKey.trim());
      pass(
        KEYS_FILE,
        `the log's key history chains from the key you gave (${keys.history.length} key(s))`,
      );
      return keys;
    } catch (error) {
      return fail(KEYS_FILE, `does not chain from the key you gave: ${message(error)}`);
    }
  });

  // 2. The checkpoint the pack is cut at.
  const checkpoint = step(() => {
    if (trusted === undefined) return fail(CHECKPOINT_FILE, 'not checked: no trusted key history');
    const note = text(CHECKPOINT_FILE);
    try {
      const cp = openTrustedCheckpoint(note, trusted);
      verdict.checkpoint = { size: cp.size, rootHash: toBase64(cp.rootHash) };
      pass(CHECKPOINT_FILE, `signed checkpoint of ${cp.origin}, tree size ${cp.size}`);
      return cp;
    } catch (error) {
      return fail(
        CHECKPOINT_FILE,
        `is not a checkpoint signed by the trusted key: ${message(error)}`,
      );
    }
  });

  // 2b. Its witness cosignatures, when the auditor holds the log to a policy.
  if (policy !== undefined) {
    step(() => {
      const subject = `${CHECKPOINT_FILE} (witnesses)`;
      if (checkpoint === undefined)
        return fail(CHECKPOINT_FILE, 'not checked: no trusted checkpoint', subject);
      const witnessed = checkCosignatures(text(CHECKPOINT_FILE), policy);
      const summary = describeVerdict(witnessed);
      verdict.witnesses = { ...witnessed, summary };
      if (!witnessed.ok) {
        return fail(
          CHECKPOINT_FILE,
          `is not witnessed as the policy requires: ${summary}. Witnesses cosign only a log that extends what they saw: a rewritten log cannot show their cosignatures (or the pack was made without --witness-policy)`,
          subject,
        );
      }
      pass(subject, summary);
    });
  }

  // 3. The notarisation event, in that checkpoint, pins the manifest.
  const manifestHash = step(() => {
    if (checkpoint === undefined)
      return fail(NOTARISATION_FILE, 'not checked: no trusted checkpoint');
    let n: ReturnType<typeof asNotarisation>;
    try {
      n = asNotarisation(parseSealJson(text(NOTARISATION_FILE)));
    } catch (error) {
      if (error instanceof Stop) throw error;
      return fail(NOTARISATION_FILE, message(error));
    }
    if (n.tree_size !== checkpoint.size)
      fail(
        NOTARISATION_FILE,
        `is proven in a tree of size ${n.tree_size}, not the checkpoint's ${checkpoint.size}`,
      );
    const r = n.record as {
      source?: unknown;
      action?: unknown;
      details?: { manifest_sha256?: unknown };
    };
    if (r.source !== SELF_SOURCE || r.action !== PACK_NOTARISE_ACTION)
      fail(NOTARISATION_FILE, `is not an ${PACK_NOTARISE_ACTION} event of source "${SELF_SOURCE}"`);
    const stated = r.details?.manifest_sha256;
    if (typeof stated !== 'string') fail(NOTARISATION_FILE, 'names no manifest_sha256');
    proveInclusion(n.seq, n.record, n.inclusion, checkpoint, (why) => fail(NOTARISATION_FILE, why));
    pass(NOTARISATION_FILE, `event ${n.seq} (${PACK_NOTARISE_ACTION}) is in the checkpoint`);
    return stated as string;
  });

  // 4. The manifest is the one the log notarised.
  const manifest = step(() => {
    const bytes = files.get(MANIFEST_FILE);
    if (bytes === undefined) return fail(MANIFEST_FILE, 'is missing from the pack');
    if (manifestHash === undefined) return fail(MANIFEST_FILE, 'not checked: no notarisation');
    if (toHex(sha256(bytes)) !== manifestHash)
      fail(MANIFEST_FILE, 'has another SHA-256 than the one the log notarised: it was changed');
    let m: PackManifest;
    try {
      m = parseManifest(fromUtf8(bytes));
    } catch (error) {
      return fail(MANIFEST_FILE, message(error));
    }
    if (m.origin !== checkpoint?.origin) fail(MANIFEST_FILE, `is for the log "${m.origin}"`);
    verdict.period = m.period;
    verdict.reportsAsOf = m.reports_as_of;
    pass(MANIFEST_FILE, `its SHA-256 is the one notarised in the log (${m.files.length} files)`);
    return m;
  });

  // 5. Every file the manifest lists has its hash; nothing else is in the pack.
  if (manifest !== undefined) {
    for (const f of manifest.files) {
      step(() => {
        const bytes = files.get(f.name);
        if (bytes === undefined) return fail(f.name, 'is missing from the pack');
        if (bytes.byteLength !== f.bytes || toHex(sha256(bytes)) !== f.sha256)
          return fail(f.name, 'does not match its SHA-256 in the manifest: it was changed');
        pass(f.name, `SHA-256 ${f.sha256.slice(0, 16)}… matches the manifest`);
      });
    }
    const known = new Set([MANIFEST_FILE, ...SEAL_FILES, ...manifest.files.map((f) => f.name)]);
    for (const name of files.keys()) {
      if (!known.has(name))
        step(() => fail(name, 'is not part of the pack (neither in the manifest nor a seal file)'));
    }
    for (const required of [KEYS_FILE, EVENTS_FILE, ...(manifest.since ? [SINCE_FILE] : [])]) {
      if (!manifest.files.some((f) => f.name === required))
        step(() => fail(MANIFEST_FILE, `does not list ${required}`));
    }
  }

  // 6. Proofs: the reports' tree and the auditor's earlier checkpoint are prefixes of it.
  const proofs = step(() => {
    if (checkpoint === undefined || manifest === undefined)
      return fail(PROOFS_FILE, 'not checked: no trusted checkpoint and manifest');
    let p: ProofsFile;
    try {
      p = asProofs(parseSealJson(text(PROOFS_FILE)));
    } catch (error) {
      if (error instanceof Stop) throw error;
      return fail(PROOFS_FILE, message(error));
    }
    if (p.tree_size !== checkpoint.size)
      fail(
        PROOFS_FILE,
        `is for a tree of size ${p.tree_size}, not the checkpoint's ${checkpoint.size}`,
      );
    const at = manifest.reports_as_of;
    proveConsistency(at.tree_size, at.root_hash, p.reports, checkpoint, (why) =>
      fail(PROOFS_FILE, `reports' tree ${at.tree_size}: ${why}`, `${PROOFS_FILE} (reports' tree)`),
    );
    pass(PROOFS_FILE, `the reports' tree of size ${at.tree_size} is a prefix of the checkpoint`);
    return p;
  });

  if (
    manifest?.since &&
    proofs !== undefined &&
    trusted !== undefined &&
    checkpoint !== undefined
  ) {
    const since = manifest.since;
    step(() => {
      let older: Checkpoint;
      try {
        older = openLogCheckpoint(text(SINCE_FILE), trusted.history).checkpoint;
      } catch (error) {
        if (error instanceof Stop) throw error;
        return fail(SINCE_FILE, `is not a checkpoint signed by this log: ${message(error)}`);
      }
      if (older.size !== since.tree_size || toBase64(older.rootHash) !== since.root_hash)
        fail(SINCE_FILE, 'is not the checkpoint the manifest names');
      if (proofs.since === null) fail(PROOFS_FILE, 'has no consistency proof from --since');
      proveConsistency(since.tree_size, since.root_hash, proofs.since!, checkpoint, (why) =>
        fail(PROOFS_FILE, `since ${since.tree_size}: ${why}`, `${PROOFS_FILE} (since checkpoint)`),
      );
      pass(
        SINCE_FILE,
        `the log at the checkpoint extends your checkpoint of size ${since.tree_size}`,
      );
    });
  } else if (manifest && !manifest.since && proofs?.since !== null && proofs !== undefined) {
    step(() =>
      fail(PROOFS_FILE, 'has a consistency proof from a checkpoint the manifest does not name'),
    );
  }

  // 7. Every cited event is in the checkpoint.
  if (proofs !== undefined && checkpoint !== undefined && problems.get(EVENTS_FILE) === undefined) {
    step(() => {
      const lines = text(EVENTS_FILE)
        .split('\n')
        .filter((l) => l !== '');
      if (lines.length !== proofs.events.length)
        fail(
          PROOFS_FILE,
          `proves ${proofs.events.length} events, ${EVENTS_FILE} has ${lines.length}`,
        );
      lines.forEach((line, i) => {
        const event = parseEventLine(line, () =>
          fail(EVENTS_FILE, `line ${i + 1} is not {seq, record}`),
        );
        const proof = proofs.events[i]!;
        if (proof.seq !== event.seq)
          fail(
            PROOFS_FILE,
            `proof ${i + 1} is for seq ${proof.seq}, the event is seq ${event.seq}`,
          );
        proveInclusion(event.seq, event.record, proof.inclusion, checkpoint, (why) =>
          fail(
            PROOFS_FILE,
            `event seq ${event.seq}: ${why}`,
            `${PROOFS_FILE} (event seq ${event.seq})`,
          ),
        );
      });
      pass(EVENTS_FILE, `all ${lines.length} cited events are in the checkpoint`);
    });
  }

  const foundation = [KEYS_FILE, CHECKPOINT_FILE, NOTARISATION_FILE, MANIFEST_FILE, 'key'];
  verdict.controls = (manifest?.controls ?? []).map((c) => {
    const problem = [...foundation, ...c.files]
      .map((f) => (problems.has(f) ? `${f} ${problems.get(f)}` : undefined))
      .find((p) => p !== undefined);
    return { ...c, ok: problem === undefined, ...(problem ? { problem } : {}) };
  });
  const first = checks.find((c) => !c.ok);
  verdict.ok = first === undefined && manifest !== undefined;
  if (first) verdict.firstFailure = first;
  return verdict;
}

function proveInclusion(
  seq: number,
  record: unknown,
  inclusion: string[],
  checkpoint: Checkpoint,
  fail: (why: string) => never,
): void {
  if (seq >= checkpoint.size)
    fail(`seq ${seq} is not below the checkpoint's size ${checkpoint.size}`);
  let leaf: Uint8Array;
  try {
    leaf = leafHash(canonicalize(record));
  } catch {
    fail('its record cannot be put in canonical form');
  }
  try {
    verifyInclusion(seq, checkpoint.size, leaf, hashes(inclusion), checkpoint.rootHash);
  } catch (error) {
    fail(`the inclusion proof does not verify: ${message(error)}`);
  }
}

function proveConsistency(
  size: number,
  rootText: string,
  proof: string[],
  checkpoint: Checkpoint,
  fail: (why: string) => never,
): void {
  const root = fromBase64(rootText);
  if (root === undefined) fail('its root hash is not base64');
  if (size > checkpoint.size) fail(`is larger than the checkpoint (${checkpoint.size})`);
  // An empty tree is a prefix of every tree (RFC 9162 defines no proof from size 0).
  if (size === 0) {
    if (proof.length !== 0) fail('a proof from the empty tree must be empty');
    return;
  }
  if (size === checkpoint.size) {
    if (proof.length !== 0 || !bytesEqual(root, checkpoint.rootHash)) fail('is not the checkpoint');
    return;
  }
  try {
    verifyConsistency(size, checkpoint.size, hashes(proof), root!, checkpoint.rootHash);
  } catch (error) {
    fail(`the consistency proof does not verify: ${message(error)}`);
  }
}

function parseEventLine(line: string, fail: () => never): { seq: number; record: unknown } {
  try {
    const e = JSON.parse(line) as { seq?: unknown; record?: unknown };
    if (typeof e.seq === 'number' && Number.isSafeInteger(e.seq) && e.seq >= 0 && e.record)
      return { seq: e.seq, record: e.record };
  } catch {
    // fall through to fail()
  }
  return fail();
}

function hashes(list: string[]): Uint8Array[] {
  return list.map((h) => {
    const bytes = fromBase64(h);
    if (bytes === undefined) throw new Error('a proof hash is not base64');
    return bytes;
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
