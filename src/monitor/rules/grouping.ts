import { type FieldGetter, fieldGetter, fieldText } from './field-path.js';

/**
 * The group an entry counts in (e.g. actor.id=u-1 for "failed sign-ins per actor"), as one
 * key string: this runs for every entry and rule, so it allocates nothing for one field.
 */
export interface Grouping {
  paths: readonly string[];
  /** Undefined when the entry lacks one of the fields (it then counts in no group). */
  keyOf(record: Record<string, unknown>): string | undefined;
  /** The field values a key stands for, in `paths` order. */
  valuesOf(key: string): string[];
}

// A unit separator does not occur in the identifiers groups are made of.
const SEPARATOR = '\u001f';

export function grouping(paths: readonly string[]): Grouping {
  if (paths.length === 0) return { paths, keyOf: () => '', valuesOf: () => [] };
  const getters: FieldGetter[] = paths.map(fieldGetter);
  if (getters.length === 1) {
    const get = getters[0]!;
    return { paths, keyOf: (r) => fieldText(get(r)), valuesOf: (key) => [key] };
  }
  return {
    paths,
    keyOf: (r) => {
      let key = '';
      for (let i = 0; i < getters.length; i++) {
        const v = fieldText(getters[i]!(r));
        if (v === undefined) return undefined;
        key = i === 0 ? v : `${key}${SEPARATOR}${v}`;
      }
      return key;
    },
    valuesOf: (key) => key.split(SEPARATOR),
  };
}

/** `{ "actor.id": "u-1" }` for an alert. */
export function groupRecord(
  paths: readonly string[],
  values: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  paths.forEach((p, i) => {
    out[p] = values[i]!;
  });
  return out;
}
