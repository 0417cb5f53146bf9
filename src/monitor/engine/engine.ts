import { SELF_SOURCE } from '../../log/self-source.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import type { Store, StoredEntry } from '../../store/store.js';
import {
  createEnginePosition,
  enginePosition,
  saveEnginePosition,
} from '../../store/tables/monitor/engine-tables.js';
import type { Clock } from '../../util/clock.js';
import { compileLayers, LAYERS, type LayerName, type LayerText } from '../rules/compile-layers.js';
import { RuleFileError } from '../rules/problems.js';
import type { AlertSink, EntryObserver, EntryStamp, NewAlert } from '../types.js';
import { parseLayers } from './engine-status.js';
import type { EvaluatedPage } from './evaluator-protocol.js';
import { EvaluatorThread } from './evaluator-thread.js';
import { Lease } from './lease.js';
import { DEFAULT_LIMITS, type StateLimits } from './limits.js';
import type { RecentEntries } from './recent-entries.js';
import { RULES_UPDATE_ACTION, RuleStore } from './rule-store.js';

export interface EngineOptions {
  store: Store;
  sink: AlertSink;
  observers?: readonly EntryObserver[];
  clock: Clock;
  /** Unique per process: the lease holder's name. */
  holder: string;
  /** Entries read from the store (or taken from `recent`) at a time (default 500). */
  pageSize?: number;
  /**
   * Entries per step when behind (default 20,000): one hand-over to the observers, one round
   * of alerts and at most one state write per step, so their fixed costs (each waits for a
   * commit) are shared by many entries.
   */
  batchSize?: number;
  /** Lease lifetime (default 15 s); renewed after a third of it. */
  leaseMs?: number;
  /**
   * Write position and windows at most this often while busy (default 1 s), and never
   * spend more than about 2.5% of the time writing: a large state waits 40× its last write.
   */
  persistEveryMs?: number;
  limits?: StateLimits;
  /**
   * Where the very first start begins: the log's end (default: history is not re-judged
   * when monitoring is switched on) or seq 0 (every entry, with the rules the log recorded
   * as active at the time).
   */
  startAt?: 'head' | 'beginning';
  /** Entries this process committed, handed over by the sequencer (no read, no parse). */
  recent?: RecentEntries;
  /** Beyond this delay an entry is late (event-time.ts); default 15 minutes. */
  lateAfterMs?: number;
}

/** Pages posted to the evaluator thread and not yet answered, at most. */
const PAGES_AHEAD = 4;

/** Alerts raised in one transaction at most; a longer list commits in several (keys dedupe). */
const RAISE_CHUNK = 500;

interface Loaded {
  position: number;
  layers: Partial<Record<LayerName, string>>;
  texts: Map<LayerName, LayerText>;
  /** Holds the windows; evaluates what this step posts to it. */
  evaluator: EvaluatorThread;
  version: number;
}

/** A committed entry as the engine handles it: its record is still canonical text. */
type Row = Pick<StoredEntry, 'seq' | 'source' | 'record'>;

/** Rows posted to the evaluator thread, and its answer to come. */
interface PostedPage {
  /** The first entry's seq, and each entry's source (the records went to the thread). */
  from: number;
  sources: string[];
  answer: Promise<EvaluatedPage>;
}

/** A `rules.update` event's layer and the rule text it switches to. */
interface LayerChange {
  layer: LayerName;
  sha: string;
}

/**
 * Evaluates every committed entry once, in seq order: reads a page, has the evaluator thread
 * parse each record once and run the rules, hands the page to the observers, then raises the alerts and moves
 * its position in one transaction (when the sink can; src/monitor/alerts/alert-service.ts).
 * Position and window state are written together (one compare-and-set row,
 * engine_position), so after a crash the engine resumes from a consistent snapshot: entries after
 * it are evaluated again with the same windows, raising the same alert keys, which the sink
 * ignores. No entry is skipped; none is counted twice. Observers may see entries again after
 * a crash (at-least-once), never out of order.
 */
export class MonitorEngine {
  readonly lease: Lease;
  private readonly rules: RuleStore;
  private readonly pageSize: number;
  /** Entries one step evaluates at most: a step that returns fewer reached the head. */
  readonly batchSize: number;
  private readonly persistEveryMs: number;
  private readonly limits: StateLimits;
  private loaded: Loaded | undefined;
  private thread: EvaluatorThread | undefined;
  private dirty = false;
  private nextPersistMs = 0;
  /** Problems the engine met but worked past (a broken stored rule text); for status. */
  readonly warnings: string[] = [];

  constructor(private readonly options: EngineOptions) {
    this.lease = new Lease(options.store, options.holder, options.clock, options.leaseMs ?? 15_000);
    this.rules = new RuleStore(options.store, options.clock);
    this.pageSize = options.pageSize ?? 500;
    this.batchSize = Math.max(this.pageSize, options.batchSize ?? 20_000);
    this.persistEveryMs = options.persistEveryMs ?? 1000;
    this.limits = options.limits ?? DEFAULT_LIMITS;
  }

  /** Next seq to evaluate, when this process holds the engine. */
  get position(): number | undefined {
    return this.loaded?.position;
  }

  /**
   * One unit of work: keep the lease, evaluate up to a batch of new entries. Returns how
   * many entries it evaluated (0: caught up, or another process holds the engine).
   */
  async step(): Promise<number> {
    if (!(await this.lease.keep())) {
      // Another process evaluates: the windows held here are stale, and can be megabytes.
      this.loaded = undefined;
      await this.closeThread();
      return 0;
    }
    try {
      const state = this.loaded ?? (await this.load());
      const size = (await this.options.store.head())?.size ?? 0;
      if (state.position >= size) {
        await this.persist(false);
        return 0;
      }
      const end = Math.min(size, state.position + this.batchSize);
      // Pages are posted ahead of their answers: the thread evaluates while this loop reads
      // the next page and answers requests. A few ahead keep it busy; a whole batch posted
      // at once held every page's copy in the thread's queue (tens of megabytes of RSS).
      const posted: PostedPage[] = [];
      for (let from = state.position; from < end; from += this.pageSize) {
        await posted[posted.length - PAGES_AHEAD]?.answer;
        const to = Math.min(end, from + this.pageSize);
        const rows = this.options.recent?.rows(from, to) ?? (await this.read(from, to));
        let start = 0;
        for (let i = 0; i < rows.length; i++) {
          const change = layerChange(rows[i]!);
          if (!change) continue;
          // Entries up to the change with the old rules, the ones after it with the new.
          posted.push(this.post(state, rows.slice(start, i + 1)));
          start = i + 1;
          await this.switchLayer(state, rows[i]!.seq, change);
        }
        if (start < rows.length) posted.push(this.post(state, rows.slice(start)));
        // Posted: the records need not stay in memory until the batch ends. Should the step
        // fail, they are read back from the store.
        this.options.recent?.dropBefore(to);
      }
      const answers = await Promise.all(posted.map((p) => p.answer));
      // The observers read only an entry's place and times. Handing them the parsed entries
      // kept up to 20,000 records (a dozen objects each) alive until the batch ended, to be
      // copied and promoted by the young generation's collections.
      const batch: EntryStamp[] = [];
      const alerts: NewAlert[] = [];
      for (const [p, page] of posted.entries()) {
        const { alerts: raised, times, historical } = answers[p]!;
        for (const [i, source] of page.sources.entries()) {
          batch.push({
            seq: page.from + i,
            source,
            timeMs: times[2 * i]!,
            receivedAtMs: times[2 * i + 1]!,
            historical: historical[i] === 1,
          });
        }
        for (const alert of raised) alerts.push(alert);
      }
      for (const observer of this.options.observers ?? []) await observer.observe(batch);
      state.position = end;
      this.dirty = true;
      await this.raise(alerts);
      return batch.length;
    } catch (error) {
      // Back to the last persisted snapshot: what was evaluated since is evaluated again.
      this.loaded = undefined;
      throw error;
    }
  }

  private async read(from: number, to: number): Promise<Row[]> {
    const stored = await this.options.store.entries(from, to);
    if (stored.length !== to - from || stored[0]?.seq !== from) {
      throw new Error(`store returned ${stored.length} entries for [${from}, ${to})`);
    }
    return stored;
  }

  /** Posts contiguous rows to the evaluator thread; their answer is awaited with the batch. */
  private post(state: Loaded, rows: readonly Row[]): PostedPage {
    const from = rows[0]!.seq;
    const sources = rows.map((r) => r.source);
    const answer = state.evaluator.evaluate({
      from,
      sources,
      records: rows.map((r) => r.record),
    });
    // Awaited with the rest of the batch; a failure before then must not go unobserved.
    answer.catch(() => {});
    return { from, sources, answer };
  }

  /** A thread for a new load: the one this engine has, unless it stopped. */
  private evaluatorThread(): EvaluatorThread {
    if (!this.thread?.alive) this.thread = new EvaluatorThread();
    return this.thread;
  }

  private async closeThread(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }

  /** Writes what is pending and lets another process take over. */
  async stop(): Promise<void> {
    try {
      if (this.loaded && this.lease.isHeld()) await this.persist(true);
    } finally {
      this.loaded = undefined;
      await this.closeThread();
      await this.lease.release();
    }
  }

  private async load(): Promise<Loaded> {
    const { store } = this.options;
    const saved = await enginePosition(store.state);
    if (saved) {
      const layers = parseLayers(saved.layersJson);
      const texts = new Map<LayerName, LayerText>();
      for (const layer of LAYERS) {
        const sha = layers[layer];
        if (sha === undefined) continue;
        const stored = await this.rules.text(sha);
        if (!stored) throw new Error(`rule text ${sha} (layer ${layer}) is missing from the store`);
        texts.set(layer, { layer, file: stored.file, text: stored.text });
      }
      const evaluator = this.evaluatorThread();
      await evaluator.load(
        [...texts.values()],
        saved.evaluatorJson,
        this.limits,
        this.options.lateAfterMs,
      );
      this.loaded = {
        position: saved.position,
        layers,
        texts,
        evaluator,
        version: saved.version,
      };
      this.dirty = false;
      return this.loaded;
    }
    // First start: from the end with the current layers, or from seq 0 with none (the
    // `rules.update` events along the log switch them in where they were recorded).
    // The head is read before the layer pointers: a change recorded in between is then
    // met again as its event (a no-op switch) rather than missed.
    const fromStart = this.options.startAt === 'beginning';
    const position = fromStart ? 0 : ((await store.head())?.size ?? 0);
    const current = fromStart ? { texts: [], hashes: {} } : await this.rules.currentTexts();
    const texts = new Map(current.texts.map((t) => [t.layer, t]));
    const evaluator = this.evaluatorThread();
    await evaluator.load([...texts.values()], undefined, this.limits, this.options.lateAfterMs);
    const created = await createEnginePosition(store.state, {
      position,
      layersJson: JSON.stringify(current.hashes),
      evaluatorJson: await evaluator.snapshotJson(),
      savedAtMs: this.options.clock.now(),
    });
    if (!created) return this.load(); // another process started it a moment ago
    this.loaded = { position, layers: current.hashes, texts, evaluator, version: 1 };
    this.dirty = false;
    return this.loaded;
  }

  /** Applies a recorded layer change to the entries after its event. */
  private async switchLayer(state: Loaded, seq: number, change: LayerChange): Promise<void> {
    const { layer, sha } = change;
    if (state.layers[layer] === sha) return;
    const stored = await this.rules.text(sha);
    if (!stored) {
      this.warn(
        `seq ${seq}: rules.update names rule text ${sha}, which is not stored; kept the previous ${layer} rules`,
      );
      return;
    }
    const texts = new Map(state.texts);
    texts.set(layer, { layer, file: stored.file, text: stored.text });
    const result = compileLayers([...texts.values()], false);
    if (!result.ok) {
      this.warn(
        `seq ${seq}: ${new RuleFileError(result.problems).message}; kept the previous ${layer} rules`,
      );
      return;
    }
    state.texts = texts;
    state.layers = { ...state.layers, [layer]: sha };
    await state.evaluator.setRules([...texts.values()]);
  }

  private warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 20) this.warnings.shift();
  }

  /**
   * Raises the batch's alerts. A sink with transactions commits them with the position (and
   * windows) when a save is due, so a crash leaves both or neither; otherwise, and with any
   * other sink, the alerts are raised before the position is written. Either way a crash
   * re-evaluates from the last saved position and raises the same keys again, which the sink
   * answers as already raised: the alerts are never lost, never doubled.
   */
  private async raise(alerts: readonly NewAlert[]): Promise<void> {
    const { sink } = this.options;
    if (alerts.length === 0 || !sink.raiseAll) {
      // Alerts of one batch are independent (distinct keys): raised side by side, so their
      // log appends share group commits.
      await eachConcurrently(alerts, RAISE_CONCURRENCY, (alert) => sink.raise(alert));
      await this.persist(false);
      return;
    }
    const now = this.options.clock.now();
    // The windows' snapshot can be megabytes (docs/rules.md "Limits"): written with every
    // batch that raises an alert, it cost more than the evaluation under steady alerting.
    // It keeps the pace persist() sets instead.
    const due = now >= this.nextPersistMs;
    const lastStart = Math.floor((alerts.length - 1) / RAISE_CHUNK) * RAISE_CHUNK;
    for (let i = 0; i < lastStart; i += RAISE_CHUNK) {
      await sink.raiseAll(alerts.slice(i, i + RAISE_CHUNK));
    }
    const last = alerts.slice(lastStart);
    if (!due) {
      await sink.raiseAll(last);
      return;
    }
    const started = performance.now();
    const windows = await this.windowsJson();
    await sink.raiseAll(last, (tx) => this.save(tx, now, windows));
    this.saved(now, performance.now() - started);
  }

  private async persist(force: boolean): Promise<void> {
    const state = this.loaded;
    if (!state || !this.dirty) return;
    const now = this.options.clock.now();
    if (!force && now < this.nextPersistMs) return;
    const started = performance.now();
    await this.save(this.options.store.state, now, await this.windowsJson());
    this.saved(now, performance.now() - started);
  }

  /**
   * The windows' snapshot as JSON, made on the evaluator thread (megabytes under load: one
   * stringify on the event loop held every request for 50–90 ms). Asked before the save's
   * transaction opens, so making it never holds the store's write lock.
   */
  private windowsJson(): Promise<string> {
    return this.loaded!.evaluator.snapshotJson();
  }

  /** Writes position and windows through `q` if no other process wrote since our version. */
  private async save(q: QueryRunner, now: number, windowsJson: string): Promise<void> {
    const state = this.loaded!;
    const ok = await saveEnginePosition(
      q,
      {
        position: state.position,
        layersJson: JSON.stringify(state.layers),
        evaluatorJson: windowsJson,
        savedAtMs: now,
      },
      state.version,
    );
    if (!ok) {
      // Someone else wrote: this process lost the engine. Start over from their state.
      this.loaded = undefined;
      throw new Error('the monitor state was written by another process; reloading');
    }
  }

  private saved(now: number, tookMs: number): void {
    this.loaded!.version += 1;
    this.dirty = false;
    this.nextPersistMs = now + Math.max(this.persistEveryMs, 40 * tookMs);
  }
}

const RAISE_CONCURRENCY = 16;

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first failure. */
async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The layer change a row records, if it is a successful `rules.update` of the log's own.
 * Only the log's own rows are parsed here; the evaluator thread parses the rest.
 */
function layerChange(row: Row): LayerChange | undefined {
  if (row.source !== SELF_SOURCE) return undefined;
  const record = JSON.parse(row.record) as Record<string, unknown>;
  if (record.action !== RULES_UPDATE_ACTION || record.outcome !== 'success') return undefined;
  const details = record.details as { layer?: unknown; sha256?: unknown } | undefined;
  const layer = details?.layer as LayerName;
  const sha = details?.sha256;
  if (!LAYERS.includes(layer) || typeof sha !== 'string') return undefined;
  return { layer, sha };
}
