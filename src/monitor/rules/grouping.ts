import { type FieldGetter, fieldGetter, fieldText } from './field-path.js';

/** The group an entry counts in: e.g. actor.id=u-1 for "failed sign-ins per actor". */
export interface GroupOf {
  key: string;
  values: string[];
}

export interface Grouping {
  paths: readonly string[];
  /** Undefined when the entry lacks one of the fields (it then counts in no group). */
  of(record: Record<string, unknown>): GroupOf | undefined;
}

const WHOLE: GroupOf = { key: '', values: [] };
// A unit separator cannot appear in record strings that matter here, and never in ids.
const SEPARATOR = '\u001f';

export function grouping(paths: readonly string[]): Grouping {
  if (paths.length === 0) return { paths, of: () => WHOLE };
  const getters: FieldGetter[] = paths.map(fieldGetter);
  if (getters.length === 1) {
    const get = getters[0]!;
    return {
      paths,
      of: (r) => {
        const v = fieldText(get(r));
        return v === undefined ? undefined : { key: v, values: [v] };
      },
    };
  }
  return {
    paths,
    of: (r) => {
      const values: string[] = [];
      for (const get of getters) {
        const v = fieldText(get(r));
        if (v === undefined) return undefined;
        values.push(v);
      }
      return { key: values.join(SEPARATOR), values };
    },
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
