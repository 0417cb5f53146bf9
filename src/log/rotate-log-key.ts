import { signCheckpoint } from '../core/checkpoint.js';
import {
  currentKey,
  keyHistoryToJson,
  LOG_KEY_ROTATE_ACTION,
  type LogKeyPeriod,
  rotateKeyHistory,
  rotationDetails,
} from '../core/key-history.js';
import { formatVerifierKey, type NoteSigner } from '../core/note.js';
import { validateSubmittedRecord } from '../core/record/validate.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { loadFrontier } from './frontier.js';
import { META_KEY_HISTORY, META_ORIGIN, META_VERIFIER_KEY } from './init-log.js';
import { prepareEntries, withReceivedAt } from './prepare-entries.js';
import { SELF_SOURCE } from './self-source.js';
import { genesisTime, storedKeyHistory } from './stored-key-history.js';

export interface RotateLogKeyOptions {
  /** The key that signs the log now (the data folder's log.key). */
  current: NoteSigner;
  /** The key that signs from the handover on. */
  next: NoteSigner;
  /** Who rotated it: the operator at the machine. */
  actor: { id: string; type: string };
  /** Why (a ticket, "scheduled", "suspected exposure"): kept in the event. */
  reason?: string;
  clock: Clock;
  newId: IdGenerator;
}

export interface RotatedLogKey {
  previous: LogKeyPeriod;
  current: LogKeyPeriod;
  history: LogKeyPeriod[];
  /** Seq of the `log_key.rotate` event. */
  seq: number;
  /** The handover checkpoint (tree size seq + 1), signed by the new key and the old one. */
  checkpoint: string;
}

/**
 * Hands the log over to a new signing key, in ONE append transaction: a `log_key.rotate`
 * event of source `evident` naming both keys, the handover checkpoint over it signed by the
 * new key AND the old one (the new first: writers recognise the current key by the first
 * signature), the updated key history and the new current verifier key. The history can thus
 * never disagree with the checkpoints, and the log's own contents record every handover.
 * Another process still holding the old key notices at its next append (Sequencer) and
 * either loads the new key or stops signing.
 */
export async function rotateLogKey(
  store: Store,
  options: RotateLogKeyOptions,
): Promise<RotatedLogKey> {
  const { current, next, clock } = options;
  return store.append(async (tx) => {
    const head = await tx.head();
    if (!head) throw new Error('the log is not initialised');
    const origin = await tx.getMeta(META_ORIGIN);
    if (origin === undefined || current.name !== origin || next.name !== origin)
      throw new Error(`both keys must be named like the log's origin "${origin}"`);
    const history = await storedKeyHistory(tx, () => genesisTime(store));
    const previous = currentKey(history);
    const held = formatVerifierKey(current.name, current.publicKey);
    if (previous.verifierKey !== held || (await tx.getMeta(META_VERIFIER_KEY)) !== held) {
      throw new Error(
        `the log is signed by ${previous.verifierKey}, not by this folder's log.key (${held}); rotate where the current key is`,
      );
    }
    const nowMs = clock.now();
    const receivedAtMs = Math.max(nowMs, head.lastReceivedAtMs);
    const size = head.size + 1;
    const nextKey = formatVerifierKey(next.name, next.publicKey);
    const history2 = rotateKeyHistory(history, nextKey, size, receivedAtMs);
    const record = validateSubmittedRecord(
      {
        time: new Date(nowMs).toISOString(),
        actor: options.actor,
        action: LOG_KEY_ROTATE_ACTION,
        target: { type: 'log_key', id: currentKey(history2).keyId, name: origin },
        outcome: 'success',
        ...(options.reason === undefined ? {} : { reason: options.reason }),
        category: 'config',
        details: rotationDetails(previous, currentKey(history2)),
      },
      '$',
      { boundSource: SELF_SOURCE },
    );
    let [prepared] = prepareEntries([record], SELF_SOURCE, nowMs, options.newId);
    // Server time never runs backwards along the log.
    if (prepared!.entry.receivedAtMs < receivedAtMs)
      prepared = withReceivedAt(prepared!, receivedAtMs);
    const { entry } = prepared!;
    entry.seq = head.size;
    const frontier = (await loadFrontier(tx, head)).clone();
    const nodes = [...frontier.append(entry.leafHash)];
    const rootHash = frontier.root();
    const note = signCheckpoint({ origin, size, rootHash, extensions: [] }, [next, current]);
    await tx.insert({
      entries: [entry],
      nodes,
      checkpoint: { size, rootHash, note, createdAtMs: receivedAtMs },
    });
    await tx.setMeta(META_KEY_HISTORY, JSON.stringify(keyHistoryToJson(history2)));
    await tx.setMeta(META_VERIFIER_KEY, nextKey);
    return {
      previous: history2.at(-2)!,
      current: currentKey(history2),
      history: history2,
      seq: entry.seq,
      checkpoint: note,
    };
  });
}
