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
  const lines: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = copyLine(rows[i]!);
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  stream.end(Buffer.from(lines.join(''), 'utf8'));
  await finished(stream);
}

function copyLine(row: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += copyField(row[i]!);
  }
  return `${line}\n`;
}

// Text format (PostgreSQL docs, COPY "Text Format"): tab-separated, `\N` is NULL, and a
// backslash, tab, newline or carriage return in a value is backslash-escaped.
const NEEDS_ESCAPE = /[\\\t\n\r]/;

function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`COPY: ${value} is not a safe integer`);
    return String(value);
  }
  if (typeof value !== 'string') {
    // bytea's hex input form `\x…`, its backslash escaped for the text format.
    return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r');
}
