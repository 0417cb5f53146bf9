/**
 * The history of a log's signing keys: which Ed25519 key signs the checkpoints of which tree
 * sizes. A rotation hands over at one checkpoint that carries two signatures (signed-note
 * allows several): the incoming key's and the outgoing key's. Whoever trusted the old key can
 * so follow the chain to the new one, and old checkpoints keep verifying under the key that
 * signed them. Pure: the store, the API and every verifier share it.
 */
import { bytesEqual, toHex } from './bytes.js';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { CoreError } from './errors.js';
import { decodeVerifierKey, type NoteVerifier, openNote, parseVerifierKey } from './note.js';

/** One key and the checkpoints it signs: tree sizes in [fromSize, untilSize]. */
export interface LogKeyPeriod {
  /** `<origin>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>`. */
  verifierKey: string;
  /** The signed-note key id, 8 hex digits. */
  keyId: string;
  /** Size of the first checkpoint it signs: 0 for the first key, else its handover. */
  fromSize: number;
  /** Size of the handover checkpoint to the next key; null while it is the current key. */
  untilSize: number | null;
  fromTimeMs: number;
  untilTimeMs: number | null;
}

/** The wire and storage form (GET /api/v1/log/keys, store meta). */
export interface LogKeyPeriodJson {
  verifier_key: string;
  key_id: string;
  from_size: number;
  until_size: number | null;
  from_time: string;
  until_time: string | null;
}

/** The event a rotation appends (source `evident`), in the batch of its handover checkpoint. */
export const LOG_KEY_ROTATE_ACTION = 'log_key.rotate';

/** A log's first key, valid from the empty tree on. */
export function startKeyHistory(verifierKey: string, atMs: number): LogKeyPeriod[] {
  return [period(verifierKey, 0, atMs)];
}

/**
 * The history after handing over to `verifierKey` at the checkpoint of `handoverSize`. A key
 * is never reused: a retired key signs nothing new, so it cannot come back.
 */
export function rotateKeyHistory(
  history: readonly LogKeyPeriod[],
  verifierKey: string,
  handoverSize: number,
  atMs: number,
): LogKeyPeriod[] {
  const current = currentKey(history);
  const next = period(verifierKey, handoverSize, atMs);
  if (history.some((p) => p.keyId === next.keyId || p.verifierKey === next.verifierKey)) {
    throw new CoreError('INVALID_ARGUMENT', `key ${next.keyId} already signed this log`);
  }
  if (decodeVerifierKey(verifierKey).name !== decodeVerifierKey(current.verifierKey).name) {
    throw new CoreError('INVALID_ARGUMENT', 'the new key must be named like the log (its origin)');
  }
  if (!Number.isSafeInteger(handoverSize) || handoverSize <= current.fromSize) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `a handover must come after the current key's first checkpoint (size ${current.fromSize})`,
    );
  }
  return [
    ...history.slice(0, -1),
    { ...current, untilSize: handoverSize, untilTimeMs: atMs },
    next,
  ];
}

export function currentKey(history: readonly LogKeyPeriod[]): LogKeyPeriod {
  const last = history.at(-1);
  if (!last) throw new CoreError('MALFORMED_KEY', 'the key history is empty');
  return last;
}

/** The keys that must sign a checkpoint of `size`: one, or two at a handover. */
export function keysForSize(history: readonly LogKeyPeriod[], size: number): LogKeyPeriod[] {
  return history.filter((p) => covers(p, size));
}

function covers(p: LogKeyPeriod, size: number): boolean {
  return size >= p.fromSize && (p.untilSize === null || size <= p.untilSize);
}

function period(verifierKey: string, fromSize: number, atMs: number): LogKeyPeriod {
  const verifier = parseVerifierKey(verifierKey);
  return {
    verifierKey,
    keyId: toHex(verifier.keyId),
    fromSize,
    untilSize: null,
    fromTimeMs: atMs,
    untilTimeMs: null,
  };
}

export function keyHistoryToJson(history: readonly LogKeyPeriod[]): LogKeyPeriodJson[] {
  return history.map((p) => ({
    verifier_key: p.verifierKey,
    key_id: p.keyId,
    from_size: p.fromSize,
    until_size: p.untilSize,
    from_time: new Date(p.fromTimeMs).toISOString(),
    until_time: p.untilTimeMs === null ? null : new Date(p.untilTimeMs).toISOString(),
  }));
}

/**
 * Parses and checks a key history: Ed25519 keys all named `origin`, distinct, the first valid
 * from size 0, each period ending exactly where the next begins (its handover), only the last
 * one open. MALFORMED_KEY on any deviation.
 */
export function keyHistoryFromJson(value: unknown, origin: string): LogKeyPeriod[] {
  if (!Array.isArray(value) || value.length === 0) throw bad('is not a non-empty array');
  const history = value.map((item, i) => periodFromJson(item, i, origin));
  history.forEach((p, i) => {
    const next = history[i + 1];
    if (i === 0 && p.fromSize !== 0) throw bad('the first key must be valid from size 0');
    if (next === undefined) {
      if (p.untilSize !== null || p.untilTimeMs !== null)
        throw bad(`the last key (${p.keyId}) must be open (until_size and until_time null)`);
      return;
    }
    if (p.untilSize !== next.fromSize || p.untilTimeMs !== next.fromTimeMs)
      throw bad(`key ${p.keyId} must end where key ${next.keyId} begins (its handover)`);
    if (next.fromSize <= p.fromSize) throw bad(`key ${next.keyId} must begin after ${p.keyId}`);
    if (history.some((q, j) => j !== i && q.keyId === p.keyId))
      throw bad(`key ${p.keyId} appears twice`);
  });
  return history;
}

function periodFromJson(item: unknown, i: number, origin: string): LogKeyPeriod {
  const where = `key ${i}`;
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw bad(`${where} is not an object`);
  const o = item as Record<string, unknown>;
  const fields = ['verifier_key', 'key_id', 'from_size', 'until_size', 'from_time', 'until_time'];
  for (const k of Object.keys(o)) if (!fields.includes(k)) throw bad(`${where} has "${k}"`);
  if (typeof o.verifier_key !== 'string') throw bad(`${where} has no verifier_key`);
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(o.verifier_key);
  } catch (cause) {
    throw new CoreError('MALFORMED_KEY', `key history: ${where}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (verifier.name !== origin) throw bad(`${where} is named "${verifier.name}", not "${origin}"`);
  if (o.key_id !== toHex(verifier.keyId)) throw bad(`${where}: key_id does not match the key`);
  const fromSize = size(o.from_size, `${where}.from_size`);
  const untilSize = o.until_size === null ? null : size(o.until_size, `${where}.until_size`);
  const fromTimeMs = time(o.from_time, `${where}.from_time`);
  const untilTimeMs = o.until_time === null ? null : time(o.until_time, `${where}.until_time`);
  return {
    verifierKey: o.verifier_key,
    keyId: o.key_id,
    fromSize,
    untilSize,
    fromTimeMs,
    untilTimeMs,
  };
}

function size(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw bad(`${where} is not a tree size`);
  return v;
}

function time(v: unknown, where: string): number {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== v)
    throw bad(`${where} is not an RFC 3339 UTC time with milliseconds`);
  return ms;
}

function bad(why: string): CoreError {
  return new CoreError('MALFORMED_KEY', `key history: ${why}`);
}

export interface OpenedLogCheckpoint {
  checkpoint: Checkpoint;
  /** The history's keys that signed it: one, or both sides of a handover. */
  signedBy: LogKeyPeriod[];
}

/**
 * Verifies a checkpoint of this log against its key history: it must carry a valid signature
 * by every key whose period covers its size (both at a handover), and none by a key of the
 * history outside its period (a retired key signing later trees is forgery, even if the
 * signature is valid). Other signatures (witnesses) are ignored. Throws UNKNOWN_KEY (a
 * required signature is missing), INVALID_SIGNATURE (a bad or out-of-period signature),
 * MALFORMED_NOTE.
 */
export function openLogCheckpoint(
  note: string | Uint8Array,
  history: readonly LogKeyPeriod[],
): OpenedLogCheckpoint {
  const verifiers = history.map((p) => parseVerifierKey(p.verifierKey));
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  // tlog-checkpoint: the log's key is named like its origin (as openCheckpoint requires).
  if (verifiers.some((v) => v.name !== checkpoint.origin)) {
    throw new CoreError('UNKNOWN_KEY', `the key history is not for the log "${checkpoint.origin}"`);
  }
  const signedBy: LogKeyPeriod[] = [];
  for (const [i, p] of history.entries()) {
    const v = verifiers[i]!;
    const signed = opened.signatures.some(
      (s) => s.verified && s.name === v.name && bytesEqual(s.keyId, v.keyId),
    );
    const required = covers(p, checkpoint.size);
    if (signed && !required) {
      throw new CoreError(
        'INVALID_SIGNATURE',
        `signed by key ${p.keyId}, which signs only tree sizes ${range(p)}, not ${checkpoint.size}`,
      );
    }
    if (required && !signed) {
      throw new CoreError(
        'UNKNOWN_KEY',
        `no signature by key ${p.keyId}, the log key for tree sizes ${range(p)}`,
      );
    }
    if (signed) signedBy.push(p);
  }
  return { checkpoint, signedBy };
}

function range(p: LogKeyPeriod): string {
  return p.untilSize === null ? `${p.fromSize} on` : `${p.fromSize}–${p.untilSize}`;
}

/** The details of a rotation event: the keys it hands over from and to. */
export function rotationDetails(
  from: LogKeyPeriod,
  to: LogKeyPeriod,
): { old_verifier_key: string; new_verifier_key: string } {
  return { old_verifier_key: from.verifierKey, new_verifier_key: to.verifierKey };
}

/**
 * Why `record` (a parsed leaf record) is not the rotation event of the handover from `from`
 * to `to`, or undefined when it is. The log's own contents thus vouch for its key history.
 */
export function rotationRecordProblem(
  record: unknown,
  selfSource: string,
  from: LogKeyPeriod,
  to: LogKeyPeriod,
): string | undefined {
  const r = record as { source?: unknown; action?: unknown; details?: Record<string, unknown> };
  if (r?.source !== selfSource || r.action !== LOG_KEY_ROTATE_ACTION)
    return `it is not a ${LOG_KEY_ROTATE_ACTION} event of source "${selfSource}"`;
  const expected = rotationDetails(from, to);
  if (
    r.details?.old_verifier_key !== expected.old_verifier_key ||
    r.details?.new_verifier_key !== expected.new_verifier_key
  )
    return `its details name other keys than the handover from ${from.keyId} to ${to.keyId}`;
  return undefined;
}
