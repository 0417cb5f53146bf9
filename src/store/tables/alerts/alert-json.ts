import type { ActorSnapshot } from '../../../monitor/alerts/alert.js';

/**
 * The JSON columns of the alert tables, parsed and checked: a column that does not hold the
 * shape the code relies on is corruption, reported with the column's name, never cast.
 */
export function parseJson(text: unknown, column: string): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    throw new Error(`alert column ${column} is not valid JSON`);
  }
}

export function stringList(value: unknown, column: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`alert column ${column} must be a list of strings`);
  }
  return value;
}

export function seqList(value: unknown, column: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new Error(`alert column ${column} must be a list of seqs`);
  }
  return value;
}

export function stringMap(value: unknown, column: string): Record<string, string> {
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new Error(`alert column ${column} must map names to strings`);
  }
  return { ...(value as Record<string, string>) };
}

export function seqsBySource(value: unknown, column: string): Record<string, number[]> {
  if (!isObject(value)) throw new Error(`alert column ${column} must map sources to seqs`);
  const out: Record<string, number[]> = {};
  for (const [source, seqs] of Object.entries(value)) out[source] = seqList(seqs, column);
  return out;
}

const ACTOR_KINDS = ['person', 'service', 'system'];
const CREDENTIALS = ['bootstrap', 'token', 'session'];

export function actorSnapshot(value: unknown, column: string): ActorSnapshot {
  const ok =
    isObject(value) &&
    typeof value.kind === 'string' &&
    ACTOR_KINDS.includes(value.kind) &&
    typeof value.id === 'string' &&
    optionalString(value.name) &&
    (value.credential === undefined || CREDENTIALS.includes(value.credential as string)) &&
    optionalString(value.session) &&
    optionalString(value.ip);
  if (!ok) throw new Error(`alert column ${column} must name who took the step`);
  return value as unknown as ActorSnapshot;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
