import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SelfAudit } from '../log/self-audit.js';
import type { Sequencer } from '../log/sequencer.js';
import type { Store } from '../store/store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { MonitorEngine } from './engine/engine.js';
import type { StateLimits } from './engine/limits.js';
import { RecentEntries } from './engine/recent-entries.js';
import { RuleStore } from './engine/rule-store.js';
import { loadPack } from './packs/packs.js';
import { compileLayers, type LayerText, textHash } from './rules/compile-layers.js';
import { RuleFileError } from './rules/problems.js';
import type { AlertSink, EntryObserver } from './types.js';

export interface MonitorOptions {
  store: Store;
  sink: AlertSink;
  observers?: readonly EntryObserver[];
  clock?: Clock;
  /** Records changes of the pack and rules-file layers as `rules.update` events. */
  audit: SelfAudit;
  /** This process's appender: what it commits is evaluated without being read back. */
  sequencer?: Pick<Sequencer, 'onCommitted'>;
  /** The rules file (`evident serve --rules FILE`, env EVIDENT_RULES): its path and text. */
  rulesFile?: { name: string; text: string };
  /** Poll for new entries this often when caught up (default 200 ms); `nudge()` wakes sooner. */
  pollMs?: number;
  pageSize?: number;
  batchSize?: number;
  leaseMs?: number;
  persistEveryMs?: number;
  limits?: StateLimits;
  startAt?: 'head' | 'beginning';
  /** Beyond this delay an entry is late (event-time.ts); default 15 minutes. */
  lateAfterMs?: number;
  /** Errors the loop works past (a failing sink, a lost lease): logged by the caller. */
  onError?: (error: unknown) => void;
}

export interface RunningMonitor {
  engine: MonitorEngine;
  /** New entries were committed: evaluate now rather than at the next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

const MONITOR_ACTOR = { kind: 'system', id: 'monitor' } as const;
const MAX_BACKOFF_MS = 5000;

/**
 * Starts monitoring: checks the pack and the rules file (a broken rules file stops the
 * start with every problem listed), records them as rule layers when they changed since the
 * last start, and runs the engine loop until `stop()`. With several processes on one
 * database each runs the loop; the lease lets one of them work.
 */
export async function startMonitor(options: MonitorOptions): Promise<RunningMonitor> {
  const clock = options.clock ?? systemClock;
  const rules = new RuleStore(options.store, clock);
  const pack = loadPack('iso27001');
  const wanted: LayerText[] = [
    { layer: 'pack', file: pack.file, text: pack.text },
    {
      layer: 'file',
      file: options.rulesFile?.name ?? '(no rules file)',
      text: options.rulesFile?.text ?? '',
    },
  ];
  // The file is checked against the pack (its toggles and calendars may name the pack's).
  const checked = compileLayers(wanted, true);
  if (!checked.ok) throw new RuleFileError(checked.problems);
  const current = await rules.currentTexts();
  for (const layer of wanted) {
    const hash = textHash(layer.text);
    const known = current.hashes[layer.layer];
    if (known === hash || (known === undefined && layer.text === '')) continue;
    const alone = compileLayers([layer], false);
    await rules.record({
      layer: layer.layer,
      file: layer.file,
      text: layer.text,
      ruleCount: alone.ok ? alone.ruleSet.rules.length : 0,
      audit: options.audit,
      principal: MONITOR_ACTOR,
    });
  }

  const recent = options.sequencer ? new RecentEntries() : undefined;
  const unsubscribe = recent ? options.sequencer!.onCommitted((e) => recent.add(e)) : undefined;
  const engine = new MonitorEngine({
    store: options.store,
    sink: options.sink,
    ...(options.observers ? { observers: options.observers } : {}),
    clock,
    holder: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(recent ? { recent } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.persistEveryMs ? { persistEveryMs: options.persistEveryMs } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.startAt ? { startAt: options.startAt } : {}),
    ...(options.lateAfterMs ? { lateAfterMs: options.lateAfterMs } : {}),
  });
  const pollMs = options.pollMs ?? 200;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });

  const loop = (async () => {
    let backoff = pollMs;
    while (!stopped) {
      try {
        const evaluated = await engine.step();
        backoff = pollMs;
        // A full batch means more is waiting: go on, but let requests run in between.
        // Anything less reached the head: wait for the next poll even though entries came
        // in meanwhile. Stepping again at once under a steady trickle ran a step (and its
        // durable source-statistics write) per few entries, taking the writer from ingest.
        if (evaluated >= engine.batchSize) await new Promise((resolve) => setImmediate(resolve));
        else await sleep(pollMs);
      } catch (error) {
        options.onError?.(error);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  })();

  return {
    engine,
    nudge: () => wake?.(),
    stop: async () => {
      stopped = true;
      unsubscribe?.();
      wake?.();
      await loop;
      await engine.stop();
    },
  };
}
