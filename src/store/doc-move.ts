/**
 * A migration's data step: documents of one kind in the old generic `state` table become rows
 * of a typed table. Both adapters run it inside the migration's transaction, so a data folder
 * or schema is either fully moved or untouched.
 */
export interface DocMove {
  /** The `state.kind` to move; the moved documents are deleted from `state`. */
  kind: string;
  /** The table the rows go into (made by the same migration's SQL). */
  table: string;
  /**
   * The rows for one document (usually one; an empty array drops a document that is no longer
   * meaningful). Throw an Error saying what is wrong to abort the whole migration.
   */
  toRows(doc: MovedDoc): Record<string, unknown>[];
}

export interface MovedDoc {
  id: string;
  /** The parsed JSON value, unchecked: `toRows` checks the shape it relies on. */
  value: unknown;
  version: number;
  updatedAtMs: number;
}

/** Parses one stored document for a move, naming it when its text is not JSON. */
export function movedDoc(row: Record<string, unknown>): MovedDoc {
  let value: unknown;
  try {
    value = JSON.parse(String(row.value));
  } catch {
    throw new Error(`state document ${String(row.kind)}/${String(row.id)} is not valid JSON`);
  }
  return {
    id: String(row.id),
    value,
    version: Number(row.version),
    updatedAtMs: Number(row.updated_at_ms),
  };
}
