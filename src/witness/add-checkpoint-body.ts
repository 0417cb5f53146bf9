/**
 * The request body of tlog-witness `add-checkpoint`: `old <size>\n`, up to 63 base64 proof
 * lines, an empty line, then the signed checkpoint. Parsed strictly, without I/O.
 */
import { fromBase64 } from '../core/bytes.js';
import { HASH_SIZE } from '../core/merkle.js';
import { WitnessError } from './witness-error.js';

/** tlog-witness §add-checkpoint: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;

export interface AddCheckpointBody {
  oldSize: number;
  proof: Uint8Array[];
  /** The signed note as sent (checkpoint text, blank line, signature lines). */
  checkpoint: string;
}

// ASCII decimal, no leading zeroes unless zero (the same rule as a checkpoint's size).
const OLD_LINE = /^old (0|[1-9][0-9]*)$/;

export function parseAddCheckpointBody(body: string): AddCheckpointBody {
  const firstNewline = body.indexOf('\n');
  const oldLine = firstNewline < 0 ? body : body.slice(0, firstNewline);
  const match = OLD_LINE.exec(oldLine);
  const oldSize = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(oldSize)) {
    throw new WitnessError('malformed', 'the body must start with "old <size>" and a newline');
  }
  const proof: Uint8Array[] = [];
  let at = firstNewline + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw new WitnessError('malformed', 'no empty line before the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) {
      throw new WitnessError('malformed', `more than ${MAX_PROOF_LINES} consistency proof lines`);
    }
    const hash = fromBase64(line);
    if (hash?.byteLength !== HASH_SIZE) {
      throw new WitnessError(
        'malformed',
        `consistency proof line ${proof.length + 1} is not base64 of ${HASH_SIZE} bytes`,
      );
    }
    proof.push(hash);
  }
  const checkpoint = body.slice(at);
  if (checkpoint.length === 0) throw new WitnessError('malformed', 'the checkpoint is missing');
  return { oldSize, proof, checkpoint };
}

/** The body a log sends: the inverse of parseAddCheckpointBody. */
export function formatAddCheckpointBody(
  oldSize: number,
  proof: readonly string[],
  checkpoint: string,
): string {
  return `old ${oldSize}\n${proof.map((h) => `${h}\n`).join('')}\n${checkpoint}`;
}
