/**
 * A verifier's witness policy: which witnesses it trusts and how many of them must have
 * cosigned a checkpoint (k of n). The text form, one directive per line:
 *
 *   # comment
 *   witness <cosignature verifier key> [<submission URL>]
 *   quorum <k>
 *
 * The verifier key is the witness's `<name>+<hex id>+<base64(0x04 ‖ key)>` (tlog-cosignature),
 * so the name travels with the key. Pure: parsing and checking do no I/O.
 */
import { cosignatureTimestamp, parseCosignatureVerifierKey } from './cosignature.js';
import { CoreError, isCoreError } from './errors.js';
import { type NoteVerifier, openNote } from './note.js';

export interface PolicyWitness {
  name: string;
  verifierKey: string;
  verifier: NoteVerifier;
  /** Where a log submits checkpoints (tlog-witness submission prefix); verifiers ignore it. */
  url?: string;
}

export interface WitnessPolicy {
  witnesses: PolicyWitness[];
  quorum: number;
}

export interface WitnessVerdict {
  ok: boolean;
  quorum: number;
  /** Witness names whose cosignature verifies, in policy order. */
  signed: string[];
  /** Witnesses whose cosignature line is there but does not verify. */
  invalid: string[];
  /** Witnesses with no cosignature line. */
  missing: string[];
  /** The newest valid cosignature's time (POSIX seconds), if any. */
  newestTimestamp?: number;
}

function bad(line: number, why: string): CoreError {
  return new CoreError('INVALID_ARGUMENT', `witness policy line ${line}: ${why}`);
}

export function parseWitnessPolicy(text: string): WitnessPolicy {
  const witnesses: PolicyWitness[] = [];
  let quorum: number | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [word, value, url, ...extra] = line.split(/\s+/);
    if (word === 'witness' && value !== undefined && extra.length === 0) {
      let verifier: NoteVerifier;
      try {
        verifier = parseCosignatureVerifierKey(value);
      } catch (error) {
        if (!isCoreError(error)) throw error;
        throw bad(i + 1, error.message);
      }
      if (witnesses.some((w) => w.name === verifier.name)) {
        throw bad(i + 1, `witness "${verifier.name}" is listed twice`);
      }
      if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) {
        throw bad(i + 1, `"${url}" is not an http(s) URL`);
      }
      witnesses.push({
        name: verifier.name,
        verifierKey: value,
        verifier,
        ...(url ? { url: url.replace(/\/+$/, '') } : {}),
      });
    } else if (word === 'quorum' && value !== undefined && url === undefined) {
      if (quorum !== undefined) throw bad(i + 1, 'quorum is given twice');
      if (!/^[1-9][0-9]*$/.test(value)) throw bad(i + 1, 'quorum must be a positive integer');
      quorum = Number(value);
    } else {
      throw bad(i + 1, 'expected "witness <verifier key> [<url>]" or "quorum <k>"');
    }
  }
  if (witnesses.length === 0) {
    throw new CoreError('INVALID_ARGUMENT', 'the witness policy lists no witness');
  }
  if (quorum === undefined) {
    throw new CoreError('INVALID_ARGUMENT', 'the witness policy has no "quorum <k>" line');
  }
  if (quorum > witnesses.length) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `the witness policy asks for ${quorum} cosignatures but lists ${witnesses.length} witness(es)`,
    );
  }
  return { witnesses, quorum };
}

/**
 * Which of the policy's witnesses cosigned this signed checkpoint. Each witness is checked on
 * its own, so one bad line neither hides nor forges another witness's cosignature.
 */
export function checkCosignatures(note: string, policy: WitnessPolicy): WitnessVerdict {
  const verdict: WitnessVerdict = {
    ok: false,
    quorum: policy.quorum,
    signed: [],
    invalid: [],
    missing: [],
  };
  for (const witness of policy.witnesses) {
    try {
      const opened = openNote(note, [witness.verifier]);
      verdict.signed.push(witness.name);
      const time = cosignatureTimestamp(opened.signatures.find((s) => s.verified)!.signature);
      if (time !== undefined)
        verdict.newestTimestamp = Math.max(verdict.newestTimestamp ?? 0, time);
    } catch (error) {
      if (!isCoreError(error)) throw error;
      if (error.code === 'INVALID_SIGNATURE') verdict.invalid.push(witness.name);
      else if (error.code === 'UNKNOWN_KEY') verdict.missing.push(witness.name);
      else throw error;
    }
  }
  verdict.ok = verdict.signed.length >= policy.quorum;
  return verdict;
}

/** The verdict in one sentence for people. */
export function describeVerdict(v: WitnessVerdict): string {
  const signed = v.signed.length > 0 ? ` (${v.signed.join(', ')})` : '';
  const head = `cosigned by ${v.signed.length} witness(es)${signed}, ${v.quorum} required`;
  const gaps = [
    v.missing.length > 0 ? `no cosignature from ${v.missing.join(', ')}` : '',
    v.invalid.length > 0 ? `INVALID cosignature from ${v.invalid.join(', ')}` : '',
  ].filter(Boolean);
  return gaps.length > 0 ? `${head}; ${gaps.join('; ')}` : head;
}
