/**
 * Witnessed acks (`serve --witnessed-ack`): an ingest answer waits until k witnesses of the
 * policy cosigned one checkpoint that covers the request's entries, or until a timeout. The
 * entries are committed before the wait starts, so a timeout never takes the ack back: the
 * 201 still means "committed and signed by the log", and `witnessed` says whether the quorum
 * was reached in time (docs/witnesses.md, "Witnessed acks").
 */
import type { Cosigned } from './witness-submitter.js';

export interface WitnessedCheckpoint {
  treeSize: number;
  /** The log's signed checkpoint followed by the k (or more) cosignature lines. */
  note: string;
  /** The witnesses whose cosignature lines follow, in the order they arrived. */
  witnesses: string[];
}

export interface WitnessedAckOptions {
  /** Distinct witnesses that must cosign one checkpoint (the policy's k). */
  quorum: number;
  /** How long an ack waits for the quorum before answering `witnessed: false`. */
  timeoutMs: number;
  /** Asks the submitter for a round now instead of at its next tick. */
  kick: () => void;
}

export const DEFAULT_WITNESSED_ACK_TIMEOUT_MS = 5000;

interface Waiter {
  treeSize: number;
  resolve: (witnessed: WitnessedCheckpoint | undefined) => void;
}

/** Checkpoints cosigned lately, by size; older ones cannot matter to a new waiter. */
const KEEP_SIZES = 64;

export class WitnessedAck {
  private readonly cosigned = new Map<number, { note: string; lines: Map<string, string> }>();
  private readonly waiters = new Set<Waiter>();
  /** The largest size with a quorum so far: a waiter at or below it is answered at once. */
  private best: WitnessedCheckpoint | undefined;

  constructor(private readonly options: WitnessedAckOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * Resolves with a checkpoint of size ≥ treeSize that carries the quorum's cosignatures,
   * or undefined after the timeout. Never rejects: the entries are committed either way.
   */
  wait(treeSize: number): Promise<WitnessedCheckpoint | undefined> {
    if (this.best && this.best.treeSize >= treeSize) return Promise.resolve(this.best);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        treeSize,
        resolve: (witnessed) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(witnessed);
        },
      };
      const timer = setTimeout(() => waiter.resolve(undefined), this.options.timeoutMs);
      this.waiters.add(waiter);
      this.options.kick();
    });
  }

  /** Whether an ack still waits (the submitter keeps submitting until none does). */
  waiting(): boolean {
    return this.waiters.size > 0;
  }

  /** The submitter kept a valid cosignature. */
  onCosigned(c: Cosigned): void {
    let entry = this.cosigned.get(c.treeSize);
    if (!entry) {
      entry = { note: c.note, lines: new Map() };
      this.cosigned.set(c.treeSize, entry);
      for (const size of this.cosigned.keys()) {
        if (this.cosigned.size <= KEEP_SIZES) break;
        this.cosigned.delete(size); // Map keeps insertion order: the oldest first
      }
    }
    if (!entry.lines.has(c.witness)) entry.lines.set(c.witness, c.line);
    if (entry.lines.size < this.options.quorum) return;
    const witnessed: WitnessedCheckpoint = {
      treeSize: c.treeSize,
      note: entry.note + [...entry.lines.values()].join(''),
      witnesses: [...entry.lines.keys()],
    };
    if (!this.best || witnessed.treeSize >= this.best.treeSize) this.best = witnessed;
    for (const waiter of [...this.waiters]) {
      if (waiter.treeSize <= witnessed.treeSize) waiter.resolve(witnessed);
    }
  }
}
