import { finished } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A value of one COPY column: text, an integer, bytes (bytea) or NULL. */
export type CopyValue = string | number | Uint8Array | null;

/**
 * Writes `rows` into `table` with one `COPY … FROM STDIN` (text format) on `client`, in its
 * current transaction: PostgreSQL's bulk path, cheaper per row than any INSERT (no
 * planner, no per-row expression evaluation). `table` and `columns` must be quoted SQL
 * identifiers (never user input). COPY fires the table's INSERT triggers like an INSERT; a
 * failing row (a duplicate key) fails the whole COPY and aborts the transaction.
 */
export async function copyRows(
  client: ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
): Promise<void> {
  if (rows.length === 0) return;
  await copyText(client, table, columns, copyLines(rows));
}

/**
 * Sends `text` (whole lines in COPY's text format, each ending in a newline) to `table`
 * with one `COPY … FROM STDIN`. The statement is queued on `client` at once, behind any it
 * is still running, and the returned promise settles when it is done: a caller may encode
 * and queue the next COPY while PostgreSQL works on this one (node-postgres sends each
 * queued statement as soon as the previous one has answered). Same rules as copyRows.
 */
export function copyText(
  client: ClientBase,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<void> {
  if (text.length === 0) return Promise.resolve();
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  // pg-copy-streams keeps the data until PostgreSQL asks for it (CopyInResponse).
  stream.end(Buffer.from(text, 'utf8'));
  return finished(stream);
}

/** `rows` in COPY's text format: one line per row. */
export function copyLines(rows: readonly (readonly CopyValue[])[]): string {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) text += '\t';
      text += copyField(row[i]!);
    }
    text += '\n';
  }
  return text;
}

function copyField(value: CopyValue): string {
  if (value === null) return COPY_NULL;
  if (typeof value === 'number') return copyInteger(value);
  if (typeof value !== 'string') return copyBytea(value);
  return copyString(value);
}

/** NULL in the text format. */
export const COPY_NULL = '\\N';

export function copyInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`COPY: ${value} is not a safe integer`);
  return String(value);
}

/** bytea's hex input form `\x…`, its backslash escaped for the text format. */
export function copyBytea(value: Uint8Array): string {
  return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

// Text format (PostgreSQL docs, COPY "Text Format"): tab-separated, `\N` is NULL, and a
// backslash, tab, newline or carriage return in a value is backslash-escaped.
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r');
}
