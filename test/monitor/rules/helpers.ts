import { loadPack } from '../../../src/monitor/packs/packs.js';
import { compileLayers } from '../../../src/monitor/rules/compile-layers.js';
import { formatProblem } from '../../../src/monitor/rules/problems.js';
import type { RuleSet } from '../../../src/monitor/rules/rule-set.js';
import type { ObservedEntry } from '../../../src/monitor/types.js';

export const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** Rules from YAML text, optionally on top of the built-in pack; throws on problems. */
export function rulesOf(text: string, options: { withPack?: boolean } = {}): RuleSet {
  const pack = loadPack('iso27001');
  const result = compileLayers([
    ...(options.withPack ? [{ layer: 'pack' as const, file: pack.file, text: pack.text }] : []),
    { layer: 'file', file: 'test.yaml', text },
  ]);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.ruleSet;
}

export interface EntryInput {
  seq: number;
  atMs: number;
  source?: string;
  actor?: Record<string, unknown>;
  action?: string;
  outcome?: string;
  target?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

/** An entry as the engine sees it; received_at = atMs. */
export function entry(input: EntryInput): ObservedEntry {
  const received = new Date(input.atMs).toISOString();
  const source = input.source ?? 'app';
  return {
    seq: input.seq,
    source,
    record: {
      id: `E${input.seq}`,
      time: received,
      received_at: received,
      source,
      actor: input.actor ?? { id: 'u-1', type: 'user' },
      action: input.action ?? 'customer.read',
      target: input.target ?? { type: 'customer', id: 'c-1' },
      outcome: input.outcome ?? 'success',
      ...input.extra,
    },
    timeMs: input.atMs,
    receivedAtMs: input.atMs,
    historical: input.extra?.historical === true,
  };
}

/** Builds entries with increasing seqs. */
export class EntryStream {
  private seq: number;
  constructor(first = 0) {
    this.seq = first;
  }
  next(input: Omit<EntryInput, 'seq'>): ObservedEntry {
    return entry({ ...input, seq: this.seq++ });
  }
}
