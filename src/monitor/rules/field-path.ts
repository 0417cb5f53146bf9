import {
  ACTOR_FIELDS,
  EVENT_RECORD_FIELDS,
  REQUEST_FIELDS,
  TARGET_FIELDS,
} from '../../core/record/types.js';
import { didYouMean } from './did-you-mean.js';

/** Reads one field of a record by its dotted path (precompiled: this runs per entry per rule). */
export type FieldGetter = (record: Record<string, unknown>) => unknown;

const OBJECT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  actor: ACTOR_FIELDS,
  target: TARGET_FIELDS,
  request: REQUEST_FIELDS,
};

const MAX_PATH_DEPTH = 8;

/**
 * Why `path` names no field of a stored record (src/core/record/types.ts), or undefined when it does.
 * Typos must not silently match nothing: `actr.id` is refused with a suggestion. Only
 * `details.*` is free-form.
 */
export function fieldPathProblem(path: string): string | undefined {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) return `"${path}" is not a dotted field path like actor.id`;
  if (parts.length > MAX_PATH_DEPTH) return `"${path}" is deeper than ${MAX_PATH_DEPTH} levels`;
  const [top, sub] = parts as [string, ...string[]];
  if (!(EVENT_RECORD_FIELDS as readonly string[]).includes(top)) {
    return `"${top}" is not a record field${didYouMean(top, EVENT_RECORD_FIELDS)}; fields: ${EVENT_RECORD_FIELDS.join(', ')}`;
  }
  if (top === 'details') return undefined;
  const known = OBJECT_FIELDS[top];
  if (known === undefined) {
    return parts.length === 1 ? undefined : `"${top}" has no sub-fields (it is a single value)`;
  }
  if (sub === undefined) {
    return `"${top}" is an object; name one of its fields: ${known.map((f) => `${top}.${f}`).join(', ')}`;
  }
  if (!known.includes(sub)) {
    return `"${top}.${sub}" is not a field${didYouMean(sub, known)}; ${top} has ${known.join(', ')}`;
  }
  return parts.length === 2 ? undefined : `"${top}.${sub}" has no sub-fields`;
}

export function fieldGetter(path: string): FieldGetter {
  const parts = path.split('.');
  const [a, b, c] = parts;
  switch (parts.length) {
    case 1:
      return (r) => r[a!];
    case 2:
      return (r) => {
        const o = r[a!];
        return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b!] : undefined;
      };
    case 3:
      return (r) => {
        const o = r[a!];
        if (typeof o !== 'object' || o === null) return undefined;
        const p = (o as Record<string, unknown>)[b!];
        return typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[c!] : undefined;
      };
    default:
      return (r) => {
        let o: unknown = r;
        for (const part of parts) {
          if (typeof o !== 'object' || o === null) return undefined;
          o = (o as Record<string, unknown>)[part];
        }
        return o;
      };
  }
}

/** A field's value as group/distinct text: strings and numbers; anything else is absent. */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
