/**
 * The pack's seal files in JSON (notarisation.json, proofs.json): written in RFC 8785
 * canonical form and read back only if they still are, so that no byte of them is free to
 * change without the verifier noticing (a value change breaks a proof; any other change
 * breaks the canonical form).
 */
import { canonicalize } from '../core/canonical-json.js';

/** notarisation.json: the `evidence_pack.create` event and its proof in the checkpoint. */
export interface NotarisationFile {
  seq: number;
  tree_size: number;
  record: Record<string, unknown>;
  inclusion: string[];
}

/** proofs.json: every proof the pack needs against the checkpoint it is cut at. */
export interface ProofsFile {
  tree_size: number;
  /** Consistency from the reports' tree (manifest reports_as_of) to the checkpoint. */
  reports: string[];
  /** Consistency from the auditor's --since checkpoint, when the pack has one. */
  since: string[] | null;
  /** Inclusion of every cited event (events.ndjson), by seq. */
  events: { seq: number; inclusion: string[] }[];
}

export function sealText(value: NotarisationFile | ProofsFile): string {
  return canonicalize(value);
}

/** Parses a seal file that must be canonical JSON; throws an Error saying why not. */
export function parseSealJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('is not JSON');
  }
  if (canonicalize(value) !== text)
    throw new Error('is not in canonical form (RFC 8785): it was edited');
  return value;
}

export function asNotarisation(value: unknown): NotarisationFile {
  const n = value as Partial<NotarisationFile> | null;
  if (
    n === null ||
    typeof n !== 'object' ||
    !isSize(n.seq) ||
    !isSize(n.tree_size) ||
    n.record === null ||
    typeof n.record !== 'object' ||
    Array.isArray(n.record) ||
    !isHashList(n.inclusion) ||
    Object.keys(n).length !== 4
  )
    throw new Error('is not a notarisation (seq, tree_size, record, inclusion)');
  return n as NotarisationFile;
}

export function asProofs(value: unknown): ProofsFile {
  const p = value as Partial<ProofsFile> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    !isSize(p.tree_size) ||
    !isHashList(p.reports) ||
    !(p.since === null || isHashList(p.since)) ||
    !Array.isArray(p.events) ||
    !p.events.every(
      (e) =>
        e !== null &&
        typeof e === 'object' &&
        isSize(e.seq) &&
        isHashList(e.inclusion) &&
        Object.keys(e).length === 2,
    ) ||
    Object.keys(p).length !== 4
  )
    throw new Error('is not a proof file (tree_size, reports, since, events)');
  return p as ProofsFile;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isHashList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((h) => typeof h === 'string');
}
