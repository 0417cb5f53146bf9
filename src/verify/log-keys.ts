import type { ApiClient } from '../client/api-client.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import {
  keyHistoryFromJson,
  type LogKeyPeriod,
  type LogKeyPeriodJson,
  openLogCheckpoint,
} from '../core/key-history.js';
import { formatVerifierKey, parseVerifierKey } from '../core/note.js';

/** `GET /api/v1/log/keys`. */
export interface LogKeysDocument {
  origin: string;
  current: string;
  keys: (LogKeyPeriodJson & { handover_checkpoint: string | null })[];
}

/** The keys a client may trust, and why. */
export interface TrustedLogKeys {
  history: LogKeyPeriod[];
  /** Index of the key trust starts from: the pinned key, or the current key the server states. */
  anchor: number;
  pinned: boolean;
  /** Every handover checkpoint, verified with both of its keys, by tree size. */
  handovers: Map<number, Checkpoint>;
}

export async function fetchTrustedLogKeys(
  client: ApiClient,
  origin: string,
  pinnedKey: string | undefined,
): Promise<TrustedLogKeys> {
  return trustLogKeys(await client.getJson<unknown>('/api/v1/log/keys'), origin, pinnedKey);
}

/**
 * Decides which of the keys a server lists can be trusted. From the pinned key on, each
 * later key is trusted because its handover checkpoint is validly signed by it AND by the
 * key before it: a server cannot introduce a key the pinned key never handed over to.
 * Without a pin there is nothing to chain from: the current key is taken on the server's
 * word, which callers must say. Keys before the anchor are only listed by the server here;
 * a whole-log verification also checks them against the rotation events in the tree.
 * Throws CoreError (MALFORMED_KEY, UNKNOWN_KEY, INVALID_SIGNATURE, MALFORMED_NOTE).
 */
export function trustLogKeys(
  doc: unknown,
  origin: string,
  pinnedKey: string | undefined,
): TrustedLogKeys {
  const d = doc as Partial<LogKeysDocument> | null;
  if (d?.origin !== origin || !Array.isArray(d.keys) || typeof d.current !== 'string') {
    throw new CoreError('MALFORMED_KEY', `the server's key list is not for the log "${origin}"`);
  }
  const history = keyHistoryFromJson(
    d.keys.map(({ handover_checkpoint: _, ...period }) => period),
    origin,
  );
  if (history.at(-1)!.verifierKey !== d.current)
    throw new CoreError('MALFORMED_KEY', "the server's current key is not the last of its list");
  const handovers = new Map<number, Checkpoint>();
  for (const [i, p] of history.entries()) {
    if (i === 0) continue;
    const note = d.keys[i]!.handover_checkpoint;
    if (typeof note !== 'string') {
      throw new CoreError('UNKNOWN_KEY', `key ${p.keyId} comes without its handover checkpoint`);
    }
    // Both keys must have signed it: openLogCheckpoint requires every key covering its size.
    const { checkpoint } = openLogCheckpoint(note, history);
    if (checkpoint.size !== p.fromSize) {
      throw new CoreError(
        'UNKNOWN_KEY',
        `the handover checkpoint of key ${p.keyId} is for size ${checkpoint.size}, not ${p.fromSize}`,
      );
    }
    handovers.set(checkpoint.size, checkpoint);
  }
  let anchor = history.length - 1;
  if (pinnedKey !== undefined) {
    const pinned = parseVerifierKey(pinnedKey);
    const text = formatVerifierKey(pinned.name, pinned.publicKey);
    anchor = history.findIndex((p) => p.verifierKey === text);
    if (anchor < 0) {
      throw new CoreError(
        'UNKNOWN_KEY',
        `the pinned key is not one of this log's keys (${history.map((p) => p.keyId).join(', ')})`,
      );
    }
  }
  return { history, anchor, pinned: pinnedKey !== undefined, handovers };
}

/** Opens a checkpoint the server says is current: signed by a trusted key, valid for its size. */
export function openTrustedCheckpoint(note: string, trusted: TrustedLogKeys): Checkpoint {
  const opened = openLogCheckpoint(note, trusted.history);
  if (!opened.signedBy.some((p) => trusted.history.indexOf(p) >= trusted.anchor)) {
    throw new CoreError(
      'UNKNOWN_KEY',
      `the checkpoint of size ${opened.checkpoint.size} is signed only by keys older than the one trusted (${trusted.history[trusted.anchor]!.keyId})`,
    );
  }
  return opened.checkpoint;
}

/** What was trusted, in a sentence for people. */
export function describeTrust(trusted: TrustedLogKeys): string {
  const { history, anchor } = trusted;
  const current = history.at(-1)!;
  const from = history[anchor]!;
  if (!trusted.pinned)
    return `trusted the key the server states (${current.keyId}), not a pinned one`;
  if (from === current) return `trusted the pinned key ${current.keyId}`;
  const hops = history.length - 1 - anchor;
  return `trusted the pinned key ${from.keyId} and, through ${hops} handover checkpoint(s) each signed by the outgoing and the incoming key, the current key ${current.keyId}`;
}
