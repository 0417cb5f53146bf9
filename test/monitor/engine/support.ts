import { createNoteSigner } from '../../../src/core/note.js';
import type { SubmittedRecord } from '../../../src/core/record/types.js';
import { initLog } from '../../../src/log/init-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { Sequencer } from '../../../src/log/sequencer.js';
import { MonitorEngine } from '../../../src/monitor/engine/engine.js';
import { RuleStore } from '../../../src/monitor/engine/rule-store.js';
import { compileLayers, type LayerName } from '../../../src/monitor/rules/compile-layers.js';
import type { AlertSink, EntryObserver, NewAlert } from '../../../src/monitor/types.js';
import type { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import type { StoreFactory } from '../../support/stores.js';

export const ORIGIN = 'evident.test/monitor';
export const START = Date.parse('2026-11-23T10:00:00.000Z');

/** An idempotent sink like the real one: a key raises once; every call is recorded. */
export class RecordingSink implements AlertSink {
  readonly calls: NewAlert[] = [];
  readonly created = new Map<string, NewAlert>();
  /** Throw after recording the next alert (a crash between raise and persist). */
  failAfterNext = false;

  async raise(alert: NewAlert): Promise<{ id: string; created: boolean }> {
    this.calls.push(alert);
    const created = !this.created.has(alert.key);
    if (created) this.created.set(alert.key, alert);
    if (this.failAfterNext) {
      this.failAfterNext = false;
      throw new Error('simulated crash after raising');
    }
    return { id: alert.key, created };
  }
}

export class RecordingObserver implements EntryObserver {
  readonly seqs: number[] = [];
  async observe(entries: readonly { seq: number }[]): Promise<void> {
    for (const e of entries) this.seqs.push(e.seq);
  }
}

/** A real log on one store adapter, with a clock the test moves. */
export interface MonitorLog {
  store: Store;
  clock: ManualClock;
  sequencer: Sequencer;
  audit: SelfAudit;
  rules: RuleStore;
  /** Appends records as `source` at the current clock; returns their seqs. */
  append(records: Partial<SubmittedRecord>[], source?: string): Promise<number[]>;
  /** Records `text` as a rule layer (a `rules.update` event); returns the event's seq. */
  setRules(text: string, layer?: LayerName): Promise<number>;
  engine(options?: Partial<ConstructorParameters<typeof MonitorEngine>[0]>): MonitorEngine;
  dispose(): Promise<void>;
}

export async function monitorLog(factory: StoreFactory): Promise<MonitorLog> {
  const { store, dispose } = await factory.create();
  const clock = new ManualClock(START);
  const signer = createNoteSigner(ORIGIN, new Uint8Array(32).fill(7));
  await initLog(store, signer, clock);
  const sequencer = new Sequencer(store, signer, ORIGIN, clock, ulidGenerator());
  const audit = new SelfAudit(sequencer, ORIGIN, clock);
  const rules = new RuleStore(store, clock);
  let holders = 0;
  const engines: MonitorEngine[] = [];
  return {
    store,
    clock,
    sequencer,
    audit,
    rules,
    append: async (records, source = 'app') => {
      const full = records.map(
        (r) =>
          ({
            time: new Date(clock.now()).toISOString(),
            actor: { id: 'u-1' },
            action: 'doc.read',
            outcome: 'success',
            ...r,
          }) as SubmittedRecord,
      );
      const result = await sequencer.append(full, source);
      return result.entries.map((e) => e.seq);
    },
    setRules: async (text, layer = 'api') => {
      const built = compileLayers([{ layer, file: layer, text }]);
      if (!built.ok) throw new Error(JSON.stringify(built.problems));
      const pointer = await rules.record({
        layer,
        file: layer,
        text,
        ruleCount: built.ruleSet.rules.length,
        audit,
        principal: { kind: 'operator', id: 'tester' },
      });
      return pointer.event_seq;
    },
    engine: (options = {}) => {
      const engine = new MonitorEngine({
        store,
        sink: new RecordingSink(),
        clock,
        holder: `engine-${++holders}`,
        ...options,
      });
      engines.push(engine);
      return engine;
    },
    dispose: async () => {
      await sequencer.drain();
      // Each engine's evaluator thread ends with it; a test may have left one mid-crash.
      await Promise.allSettled(engines.map((engine) => engine.stop()));
      await dispose();
    },
  };
}

/** Steps until the engine has nothing left (or `max` steps). */
export async function drain(engine: MonitorEngine, max = 100): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await engine.step()) === 0) return;
  }
  throw new Error('engine did not catch up');
}
