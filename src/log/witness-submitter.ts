/**
 * The log side of c2sp.org/tlog-witness: the log's newest checkpoint goes to each configured
 * witness with a consistency proof from the size that witness last cosigned, at most once per
 * interval (so a busy log sends one checkpoint per interval, not one per batch), off the ack
 * path. A 409 states the witness's size: the log proves from there and tries again. Valid
 * cosignature lines are stored and served after the log's own signature.
 */
import { toBase64 } from '../core/bytes.js';
import { isCoreError } from '../core/errors.js';
import { openNote } from '../core/note.js';
import type { PolicyWitness } from '../core/witness-policy.js';
import type { LogHead, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { formatAddCheckpointBody } from '../witness/add-checkpoint-body.js';
import { consistencyProof } from './proofs.js';

export interface WitnessSubmitterOptions {
  store: Store;
  /** Witnesses with a submission URL. */
  witnesses: readonly (PolicyWitness & { url: string })[];
  clock: Clock;
  /** Longest wait between a new checkpoint and its submission. */
  intervalMs?: number;
  timeoutMs?: number;
  /** A witness refused or failed: a fork or rollback shows up here first. */
  onProblem?: (problem: WitnessProblem) => void;
  /** Every valid cosignature kept (witnessed acks wait on these). */
  onCosigned?: (cosigned: Cosigned) => void;
  /**
   * Shortest gap between two rounds started by `kick()`: a witness rate-limits each log
   * (10 a second by default), and a round every few milliseconds would only earn 429s.
   */
  kickIntervalMs?: number;
  /** True while someone still waits for cosignatures: kicked rounds go on until false. */
  waiting?: () => boolean;
}

export interface Cosigned {
  witness: string;
  treeSize: number;
  /** The log's signed checkpoint that was cosigned. */
  note: string;
  /** The witness's cosignature line, newline-terminated. */
  line: string;
}

export interface WitnessProblem {
  witness: string;
  message: string;
  /** The checkpoint submitted. */
  treeSize: number;
  /**
   * True when the witness refuses this log's history (a fork, a bad proof, the log behind
   * what it cosigned): evidence of a rewrite. False when it is only unreachable or failing.
   */
  refused: boolean;
}

export interface WitnessStatus {
  name: string;
  /** The size this witness last cosigned (undefined until it answered). */
  size: number | undefined;
  lastError: string | undefined;
}

export const DEFAULT_WITNESS_INTERVAL_MS = 1000;
export const DEFAULT_KICK_INTERVAL_MS = 100;
const DEFAULT_TIMEOUT_MS = 10_000;

interface Tracked {
  witness: PolicyWitness & { url: string };
  size: number | undefined;
  lastError: string | undefined;
  busy: Promise<void> | undefined;
}

export class WitnessSubmitter {
  private readonly tracked: Tracked[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** A kicked round is scheduled or running; `kickAgain`: another was asked for meanwhile. */
  private kicking = false;
  private kickAgain = false;
  private lastKickAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WitnessSubmitterOptions) {
    this.tracked = options.witnesses.map((witness) => ({
      witness,
      size: undefined,
      lastError: undefined,
      busy: undefined,
    }));
  }

  start(): void {
    const interval = this.options.intervalMs ?? DEFAULT_WITNESS_INTERVAL_MS;
    const tick = () => {
      if (this.stopped) return;
      // Kicked rounds (witnessed acks) already submit: a tick on top would exceed the
      // witnesses' rate limit (10 a second by default) and earn 429s.
      const kickedLately = this.kicking || performance.now() - this.lastKickAt < interval;
      void (kickedLately ? Promise.resolve() : this.submitAll()).finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, interval);
          this.timer.unref();
        }
      });
    };
    tick();
  }

  /**
   * Submits the newest head soon (within `kickIntervalMs` of the last kicked round) instead
   * of at the next tick: someone waits for its cosignatures. Kicks during a round coalesce
   * into one more round, which takes whatever committed meanwhile.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.kicking) {
      this.kickAgain = true;
      return;
    }
    this.kicking = true;
    const gap = this.options.kickIntervalMs ?? DEFAULT_KICK_INTERVAL_MS;
    const wait = Math.max(0, this.lastKickAt + gap - performance.now());
    setTimeout(() => {
      if (this.stopped) {
        this.kicking = false;
        return;
      }
      this.lastKickAt = performance.now();
      void this.submitAll()
        .catch(() => undefined)
        .finally(() => {
          this.kicking = false;
          if (this.kickAgain || this.options.waiting?.()) {
            this.kickAgain = false;
            this.kick();
          }
        });
    }, wait).unref();
  }

  /** Submits the current head to every witness that has not cosigned it; waits for all. */
  async submitAll(): Promise<void> {
    const head = await this.options.store.head();
    if (!head || head.size === 0) return;
    await Promise.all(
      this.tracked.map((t) => {
        if (t.size === head.size && t.lastError === undefined) return undefined;
        t.busy ??= this.submit(t, head).finally(() => {
          t.busy = undefined;
        });
        return t.busy;
      }),
    );
  }

  status(): WitnessStatus[] {
    return this.tracked.map((t) => ({
      name: t.witness.name,
      size: t.size,
      lastError: t.lastError,
    }));
  }

  /** Stops submitting and waits for the requests in flight (no last round). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.tracked.map((t) => t.busy));
  }

  /** Stops polling; a last round so a stopped log's final checkpoint is cosigned. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.tracked.map((t) => t.busy));
    await this.submitAll().catch(() => undefined);
  }

  private async submit(t: Tracked, head: LogHead): Promise<void> {
    try {
      // Two tries: the first may only teach us the witness's size (409).
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = t.size ?? 0;
        if (old > head.size) {
          return this.problem(
            t,
            head.size,
            true,
            `the witness cosigned size ${old}, above the log's ${head.size}: this log was rolled back or forked`,
          );
        }
        const proof =
          old === 0 || old === head.size
            ? []
            : (await consistencyProof(this.options.store, old, head.size)).map(toBase64);
        const response = await fetch(`${t.witness.url}/add-checkpoint`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: formatAddCheckpointBody(old, proof, head.checkpoint.note),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
        const text = await response.text();
        if (response.status === 409 && /^(0|[1-9][0-9]*)\n$/.test(text)) {
          const stated = Number(text.trim());
          if (stated === old) {
            return this.problem(
              t,
              head.size,
              true,
              `the witness refuses size ${head.size}: it cosigned another tree of that size (a fork)`,
            );
          }
          t.size = stated;
          continue;
        }
        if (response.status !== 200) {
          const refused = response.status === 422;
          const why = `the witness answered ${response.status}: ${text.slice(0, 300)}`;
          return this.problem(t, head.size, refused, why);
        }
        await this.keep(t, head, text);
        return;
      }
      this.problem(t, head.size, false, 'the witness changed its size twice in a row');
    } catch (error) {
      this.problem(t, head.size, false, `cannot reach the witness: ${(error as Error).message}`);
    }
  }

  /** Stores the lines that are valid cosignatures by this witness over this checkpoint. */
  private async keep(t: Tracked, head: LogHead, body: string): Promise<void> {
    const lines = body.split('\n').filter((l) => l !== '');
    let kept = 0;
    for (const line of lines) {
      try {
        const opened = openNote(`${head.checkpoint.note}${line}\n`, [t.witness.verifier]);
        if (!opened.signatures.some((s) => s.verified)) continue;
      } catch (error) {
        if (!isCoreError(error)) throw error;
        continue;
      }
      const now = this.options.clock.now();
      await this.options.store.addCosignature(head.size, t.witness.name, `${line}\n`, now);
      kept++;
      this.options.onCosigned?.({
        witness: t.witness.name,
        treeSize: head.size,
        note: head.checkpoint.note,
        line: `${line}\n`,
      });
    }
    if (kept === 0) {
      return this.problem(
        t,
        head.size,
        false,
        'the witness answered 200 without a valid cosignature',
      );
    }
    t.size = head.size;
    t.lastError = undefined;
  }

  private problem(t: Tracked, treeSize: number, refused: boolean, message: string): void {
    // Told once per change: a witness that keeps refusing is one problem, not one per tick.
    if (t.lastError !== message) {
      this.options.onProblem?.({ witness: t.witness.name, message, treeSize, refused });
    }
    t.lastError = message;
  }
}
