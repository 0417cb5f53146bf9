import type { NewAlert } from '../monitor/types.js';
import type { WitnessProblem } from './witness-submitter.js';

export const WITNESS_REFUSED_RULE = 'log.witness_refused';

/**
 * The alert for a witness that refuses this log's history: the log was forked, rewritten or
 * restored from an older copy, or someone else signs checkpoints with its key. One per
 * witness and tree size (the key), so a witness that keeps refusing is one alert per head.
 */
export function witnessRefusedAlert(
  problem: WitnessProblem,
  source: string,
  nowMs: number,
): NewAlert {
  return {
    key: `${WITNESS_REFUSED_RULE}:${problem.witness}:${problem.treeSize}`,
    ruleId: WITNESS_REFUSED_RULE,
    title: `Witness ${problem.witness} refuses the log's checkpoint of size ${problem.treeSize}`,
    description:
      `${problem.message}. A witness cosigns only append-only growth of what it cosigned before: ` +
      'this log was forked or rolled back (a data folder restored from an older copy, another ' +
      'server signing with this log key, or history rewritten). See docs/witnesses.md.',
    severity: 'critical',
    seqs: [],
    sources: [source],
    triggeredAtMs: nowMs,
  };
}
