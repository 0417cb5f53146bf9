/**
 * The lines of records.ndjson and proofs.ndjson. Each line is RFC 8785 canonical JSON and is
 * read back only if it still is, so no byte of a line is free to change unnoticed; the record
 * inside a canonical line is itself canonical, so `canonicalize(record)` gives back the exact
 * bytes the log hashed (and that a restore writes back).
 */
import { fromBase64, toBase64 } from '../../core/bytes.js';
import { canonicalize } from '../../core/canonical-json.js';
import { HASH_SIZE } from '../../core/merkle.js';

export interface RecordLine {
  seq: number;
  leafHash: Uint8Array;
  /** The record's canonical text, as stored. */
  record: string;
}

export interface ProofLine {
  seq: number;
  inclusion: Uint8Array[];
}

/** Spliced rather than re-serialised: the stored record text goes into the bundle untouched. */
export function recordLine(entry: RecordLine): string {
  return `{"leaf_hash":"${toBase64(entry.leafHash)}","record":${entry.record},"seq":${entry.seq}}`;
}

export function proofLine(line: ProofLine): string {
  return canonicalize({ inclusion: line.inclusion.map(toBase64), seq: line.seq });
}

/** Throws an Error saying what is wrong with the line. */
export function parseRecordLine(text: string): RecordLine {
  const v = parseCanonical(text) as { leaf_hash?: unknown; record?: unknown; seq?: unknown };
  if (Object.keys(v).length !== 3 || !isSeq(v.seq) || typeof v.leaf_hash !== 'string')
    throw new Error('is not {leaf_hash, record, seq}');
  if (v.record === null || typeof v.record !== 'object' || Array.isArray(v.record))
    throw new Error('has no record object');
  const leafHash = hash(v.leaf_hash);
  if (leafHash === undefined) throw new Error('has a leaf_hash that is not a base64 SHA-256');
  return { seq: v.seq, leafHash, record: canonicalize(v.record) };
}

/** Throws an Error saying what is wrong with the line. */
export function parseProofLine(text: string): ProofLine {
  const v = parseCanonical(text) as { inclusion?: unknown; seq?: unknown };
  if (Object.keys(v).length !== 2 || !isSeq(v.seq) || !Array.isArray(v.inclusion))
    throw new Error('is not {inclusion, seq}');
  const inclusion = v.inclusion.map((h) => (typeof h === 'string' ? hash(h) : undefined));
  if (inclusion.some((h) => h === undefined))
    throw new Error('has a proof hash that is not a base64 SHA-256');
  return { seq: v.seq, inclusion: inclusion as Uint8Array[] };
}

function parseCanonical(text: string): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('is not a JSON object');
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch {
    throw new Error('cannot be put in canonical form (RFC 8785)');
  }
  if (canonical !== text) throw new Error('is not in canonical form (RFC 8785): it was edited');
  return value;
}

function hash(text: string): Uint8Array | undefined {
  const bytes = fromBase64(text);
  return bytes?.length === HASH_SIZE ? bytes : undefined;
}

function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
