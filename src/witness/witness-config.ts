/**
 * The logs a witness cosigns, one per line:
 *
 *   # comment
 *   log <verifier key> [<origin>]
 *
 * The origin defaults to the key's name (the tlog-checkpoint convention Evident follows).
 * Several lines may name one origin: during a key rotation a log is trusted under both keys.
 */
import { isCoreError } from '../core/errors.js';
import { type NoteVerifier, parseVerifierKey } from '../core/note.js';

export type WitnessedLogs = ReadonlyMap<string, readonly NoteVerifier[]>;

export class WitnessConfigError extends Error {
  override readonly name = 'WitnessConfigError';
}

export function parseWitnessConfig(text: string): WitnessedLogs {
  const logs = new Map<string, NoteVerifier[]>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    const [word, key, origin, ...extra] = line.split(/\s+/);
    if (word !== 'log' || key === undefined || extra.length > 0) {
      throw new WitnessConfigError(`${where}: expected "log <verifier key> [<origin>]"`);
    }
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(key);
    } catch (error) {
      if (!isCoreError(error)) throw error;
      throw new WitnessConfigError(`${where}: ${error.message}`);
    }
    const name = origin ?? verifier.name;
    logs.set(name, [...(logs.get(name) ?? []), verifier]);
  }
  if (logs.size === 0) {
    throw new WitnessConfigError('the witness config lists no log ("log <verifier key>" lines)');
  }
  return logs;
}
