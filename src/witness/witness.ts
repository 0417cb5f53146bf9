/**
 * The tlog-witness `add-checkpoint` decision (c2sp.org/tlog-witness): verify the log's
 * signature, compare-and-swap the log's (size, root) after checking the consistency proof,
 * and only then cosign (c2sp.org/tlog-cosignature, cosignature/v1). A witness never cosigns
 * a checkpoint that is not an append-only extension of the last one it cosigned.
 */
import { bytesEqual } from '../core/bytes.js';
import { type Checkpoint, parseCheckpoint } from '../core/checkpoint.js';
import { cosignCheckpoint } from '../core/cosignature.js';
import { isCoreError } from '../core/errors.js';
import { openNote } from '../core/note.js';
import { verifyConsistency } from '../core/proof.js';
import type { Clock } from '../util/clock.js';
import { parseAddCheckpointBody } from './add-checkpoint-body.js';
import type { WitnessedLogs } from './witness-config.js';
import { WitnessError } from './witness-error.js';
import type { WitnessKey } from './witness-key.js';
import type { WitnessState } from './witness-state.js';

/** Per log: `capacity` submissions at once, then one per `refillMs`. */
export interface WitnessRateLimit {
  capacity: number;
  refillMs: number;
}

export const DEFAULT_WITNESS_RATE_LIMIT: WitnessRateLimit = { capacity: 20, refillMs: 100 };

export interface WitnessOptions {
  key: WitnessKey;
  logs: WitnessedLogs;
  state: WitnessState;
  clock: Clock;
  rateLimit?: WitnessRateLimit;
}

export class Witness {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly rate: WitnessRateLimit;

  constructor(private readonly options: WitnessOptions) {
    this.rate = options.rateLimit ?? DEFAULT_WITNESS_RATE_LIMIT;
  }

  /** The cosignature line(s) for a valid submission; throws WitnessError to refuse. */
  addCheckpoint(body: string): string {
    const { oldSize, proof, checkpoint: note } = parseAddCheckpointBody(body);
    const { origin, opened } = this.openCheckpoint(note);
    const cp = parseCheckpointText(opened);
    if (oldSize > cp.size) {
      throw new WitnessError(
        'malformed',
        `old size ${oldSize} is above the checkpoint's ${cp.size}`,
      );
    }
    if (oldSize === 0 && proof.length > 0) {
      throw new WitnessError('malformed', 'a consistency proof from old size 0 must be empty');
    }
    this.takeToken(origin);
    const now = this.options.clock.now();
    // Set when a validly signed checkpoint contradicts what was cosigned: evidence to keep.
    let misbehaviour: number | undefined;
    try {
      this.options.state.compareAndSwap(
        origin,
        (current) => {
          const size = current?.size ?? 0;
          if (oldSize !== size) {
            throw new WitnessError(
              'conflict',
              `the witness holds size ${size}, not ${oldSize}`,
              size,
            );
          }
          if (current !== undefined && cp.size === size) {
            if (!bytesEqual(current.rootHash, cp.rootHash)) {
              misbehaviour = 409;
              throw new WitnessError(
                'conflict',
                `a different tree of size ${size} was cosigned: this checkpoint is a fork`,
                size,
              );
            }
          } else if (current !== undefined && size > 0) {
            try {
              verifyConsistency(size, cp.size, proof, current.rootHash, cp.rootHash);
            } catch (error) {
              if (!isCoreError(error)) throw error;
              misbehaviour = 422;
              throw new WitnessError(
                'bad_proof',
                `the consistency proof from size ${size} to ${cp.size} does not verify (${error.message})`,
              );
            }
          }
          return { size: cp.size, rootHash: cp.rootHash, checkpoint: note };
        },
        now,
      );
    } catch (error) {
      if (misbehaviour !== undefined) {
        const reason = (error as Error).message;
        this.options.state.recordRefusal({ origin, status: misbehaviour, reason, body }, now);
      }
      throw error;
    }
    const { name, seed } = this.options.key;
    return cosignCheckpoint(opened, name, seed, Math.floor(now / 1000));
  }

  /** Opens the signed note with the keys trusted for its origin (404 / 403 / 400). */
  private openCheckpoint(note: string): { origin: string; opened: string } {
    // The origin picks the keys, so read it before verifying; nothing is trusted until then.
    const split = note.lastIndexOf('\n\n');
    const origin = split < 0 ? '' : note.slice(0, note.indexOf('\n'));
    if (split < 0 || origin === '') {
      throw new WitnessError('malformed', 'the checkpoint is not a signed note');
    }
    const verifiers = this.options.logs.get(origin);
    if (verifiers === undefined) {
      throw new WitnessError('unknown_log', `this witness does not witness the log "${origin}"`);
    }
    try {
      return { origin, opened: openNote(note, verifiers).text };
    } catch (error) {
      if (!isCoreError(error)) throw error;
      if (error.code === 'UNKNOWN_KEY' || error.code === 'INVALID_SIGNATURE') {
        throw new WitnessError('untrusted', `no valid signature by a key trusted for "${origin}"`);
      }
      throw new WitnessError('malformed', `the checkpoint does not parse: ${error.message}`);
    }
  }

  /** A token bucket per log, taken only once the log's signature verified. */
  private takeToken(origin: string): void {
    const now = this.options.clock.now();
    const b = this.buckets.get(origin) ?? { tokens: this.rate.capacity, atMs: now };
    const tokens = Math.min(
      this.rate.capacity,
      b.tokens + Math.max(0, now - b.atMs) / this.rate.refillMs,
    );
    if (tokens < 1) {
      const waitMs = Math.ceil((1 - tokens) * this.rate.refillMs);
      throw new WitnessError('rate_limited', `too many checkpoints for "${origin}"`, waitMs);
    }
    this.buckets.set(origin, { tokens: tokens - 1, atMs: now });
  }
}

function parseCheckpointText(text: string): Checkpoint {
  try {
    return parseCheckpoint(text);
  } catch (error) {
    if (!isCoreError(error)) throw error;
    throw new WitnessError('malformed', error.message);
  }
}
