import { parentPort } from 'node:worker_threads';
import { lowerThisThreadPriority } from '../../util/thread-priority.js';
import { RuleFileError } from '../rules/problems.js';
import { buildRuleSet, type RuleLayer, type RuleSet } from '../rules/rule-set.js';
import type { NewAlert } from '../types.js';
import { Evaluator, type EvaluatorSnapshot } from './evaluator.js';
import type {
  EntryPage,
  EvaluatedPage,
  EvaluatorAnswer,
  EvaluatorRequest,
} from './evaluator-protocol.js';
import { observeRecord } from './observed-entry.js';

/**
 * The evaluator thread (evaluator-thread.ts starts it): parses each committed record and
 * runs the rules over it, off the event loop that answers requests. Holds the rules'
 * windows between requests; the engine persists them through `snapshot`.
 */
const port = parentPort;
if (!port) throw new Error('evaluator-worker.ts runs as a worker thread');

/**
 * Evaluation is background work: when ingest keeps both cores busy, the acks come first and
 * the engine falls behind, to catch up as soon as the load eases (as it did when it shared
 * the event loop). When a core is idle, as at half load, the engine uses it without holding
 * up a single request. Ten steps of nice below them, it gets about a tenth of a core the
 * other threads want (Linux's scheduler weighs each step of nice by about 1.25).
 */
const EVALUATOR_NICE_STEPS = 10;
lowerThisThreadPriority(EVALUATOR_NICE_STEPS);

let evaluator: Evaluator | undefined;

port.on('message', ({ id, request }: { id: number; request: EvaluatorRequest }) => {
  let answer: EvaluatorAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    const value = handle(request);
    if (request.kind === 'evaluate') {
      const page = value as EvaluatedPage;
      transfer = [page.times.buffer as ArrayBuffer, page.historical.buffer as ArrayBuffer];
    }
    answer = { id, ok: true, value };
  } catch (error) {
    answer = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer, transfer);
});

function handle(request: EvaluatorRequest): unknown {
  switch (request.kind) {
    case 'load':
      evaluator = new Evaluator(
        compile(request.layers),
        request.snapshotJson === undefined ? undefined : parseSnapshot(request.snapshotJson),
        request.limits,
        request.lateAfterMs,
      );
      return null;
    case 'rules':
      loaded().setRuleSet(compile(request.layers));
      return null;
    case 'evaluate':
      return evaluatePage(loaded(), request.page);
    case 'snapshot':
      return JSON.stringify(loaded().snapshot());
  }
}

function loaded(): Evaluator {
  if (!evaluator) throw new Error('the evaluator thread was asked to work before it was loaded');
  return evaluator;
}

function compile(layers: RuleLayer[]): RuleSet {
  const result = buildRuleSet(layers, false);
  if (!result.ok) throw new RuleFileError(result.problems);
  return result.ruleSet;
}

function evaluatePage(evaluator: Evaluator, page: EntryPage): EvaluatedPage {
  const records = page.records;
  if (records.length !== page.sources.length) {
    throw new Error(`a page of ${page.sources.length} sources held ${records.length} records`);
  }
  const alerts: NewAlert[] = [];
  const times = new Float64Array(records.length * 2);
  const historical = new Uint8Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = JSON.parse(records[i]!) as Record<string, unknown>;
    const e = observeRecord(page.from + i, page.sources[i]!, record);
    times[2 * i] = e.timeMs;
    times[2 * i + 1] = e.receivedAtMs;
    historical[i] = e.historical ? 1 : 0;
    for (const alert of evaluator.evaluate(e)) alerts.push(alert);
  }
  return { alerts, times, historical };
}

/** The evaluator checks each rule's part when it loads it; here only the outer shape. */
function parseSnapshot(json: string): EvaluatorSnapshot {
  const value = JSON.parse(json) as { rules?: unknown } | null;
  if (typeof value?.rules !== 'object' || value.rules === null || Array.isArray(value.rules)) {
    throw new Error('engine_position.evaluator_json is not an evaluator snapshot');
  }
  return value as EvaluatorSnapshot;
}
