import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startWorker } from '../../util/start-worker.js';
import { type LayerText, parseLayerTexts } from '../rules/compile-layers.js';
import { RuleFileError } from '../rules/problems.js';
import type { RuleLayer } from '../rules/rule-set.js';
import type {
  EntryPage,
  EvaluatedPage,
  EvaluatorAnswer,
  EvaluatorRequest,
} from './evaluator-protocol.js';
import type { StateLimits } from './limits.js';

/**
 * The thread's young generation. A worker is an isolate of its own, and its heap comes on
 * top of the server's resident memory: with V8's size for the machine and a whole batch
 * posted at once, the server's RSS while ingesting (bench/rss-ingest.ts) rose from under 300
 * MB to 355 MB; with this limit and a few pages ahead, 324 MB. What one page leaves (500
 * parsed records, about a megabyte) dies young in far less.
 */
const EVALUATOR_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The engine's handle on its evaluator thread (evaluator-worker.ts). Parsing each committed
 * record and running the rules over it was a sixth of the event loop under ingest, and
 * after a burst the engine's catching up held requests back for a second or two: on its own
 * thread that work runs beside the requests instead of between them.
 *
 * Requests are answered in the order posted, so the engine posts a whole batch of pages at
 * once and awaits the answers. If the thread dies, every waiting call fails and `alive` is
 * false: the engine reloads from its persisted state into a new thread.
 */
export class EvaluatorThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private stopped: string | undefined;

  constructor() {
    this.worker = startWorker(
      new URL('./evaluator-worker.js', import.meta.url),
      undefined,
      EVALUATOR_LIMITS,
    );
    // Held only while a request waits: an idle evaluator never keeps a process alive.
    this.worker.unref();
    this.worker.on('message', (answer: EvaluatorAnswer) => this.answered(answer));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => this.fail(`exit code ${code}`));
  }

  get alive(): boolean {
    return this.stopped === undefined;
  }

  async load(
    texts: LayerText[],
    snapshotJson: string | undefined,
    limits: StateLimits,
    lateAfterMs: number | undefined,
  ): Promise<void> {
    await this.ask({ kind: 'load', layers: parsed(texts), snapshotJson, limits, lateAfterMs });
  }

  /** Switches rules for the pages posted after this; windows of unchanged rules are kept. */
  async setRules(texts: LayerText[]): Promise<void> {
    await this.ask({ kind: 'rules', layers: parsed(texts) });
  }

  evaluate(page: EntryPage): Promise<EvaluatedPage> {
    return this.ask({ kind: 'evaluate', page }) as Promise<EvaluatedPage>;
  }

  /** The windows as JSON, after every page posted before. */
  snapshotJson(): Promise<string> {
    return this.ask({ kind: 'snapshot' }) as Promise<string>;
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.fail('closed');
    await this.worker.terminate();
  }

  private ask(request: EvaluatorRequest): Promise<unknown> {
    if (this.stopped !== undefined) {
      return Promise.reject(new Error(`the evaluator thread stopped: ${this.stopped}`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  private answered(answer: EvaluatorAnswer): void {
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    this.waiting.delete(answer.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (answer.ok) waiting.resolve(answer.value);
    else waiting.reject(new Error(answer.message));
  }

  private fail(reason: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    for (const w of this.waiting.values()) {
      w.reject(new Error(`the evaluator thread stopped: ${reason}`));
    }
    this.waiting.clear();
    this.worker.unref();
  }
}

/**
 * The layers' YAML parsed on this thread, which has the parser loaded anyway: the evaluator
 * thread then builds the rule set from plain data and never loads it (its code would stay
 * resident there for the life of the server).
 */
function parsed(texts: readonly LayerText[]): RuleLayer[] {
  const result = parseLayerTexts(texts);
  if (!result.ok) throw new RuleFileError(result.problems);
  return result.parsed;
}
