import { readFileSync } from 'node:fs';
import { isCoreError } from '../core/errors.js';
import {
  checkCosignatures,
  describeVerdict,
  parseWitnessPolicy,
  type WitnessPolicy,
  type WitnessVerdict,
} from '../core/witness-policy.js';
import type { VerifyReport } from './report.js';

/** Reads a `--witness-policy FILE`; a message that names the file and the line on error. */
export function readWitnessPolicy(file: string): WitnessPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the witness policy ${file}: ${(error as Error).message}`);
  }
  try {
    return parseWitnessPolicy(text);
  } catch (error) {
    if (!isCoreError(error)) throw error;
    throw new Error(`${file}: ${error.message}`);
  }
}

/**
 * Holds a verified log to a witness policy: the checkpoint the tree was verified against must
 * carry cosignatures from k trusted witnesses. A log whose history was rewritten and re-signed
 * with its own key cannot show them: witnesses cosign only append-only extensions.
 */
export function applyWitnessPolicy(
  report: VerifyReport,
  checkpoint: string | undefined,
  policy: WitnessPolicy,
): WitnessVerdict | undefined {
  if (!report.ok || checkpoint === undefined) return undefined;
  const verdict = checkCosignatures(checkpoint, policy);
  report.witnesses = { ...verdict, summary: describeVerdict(verdict) };
  if (!verdict.ok) {
    report.ok = false;
    report.problems.push({
      kind: 'witness_quorum',
      message: `the checkpoint of size ${report.treeSize} is not witnessed as the policy requires: ${describeVerdict(verdict)}. Its history may have been rewritten and re-signed with the log key (or, on a live log, its witnesses have not cosigned it yet)`,
    });
  }
  return verdict;
}
