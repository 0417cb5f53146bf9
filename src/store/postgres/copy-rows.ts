import type { ClientBase, Connection, Submittable } from 'pg';

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
 * with one `COPY … FROM STDIN`, and settles when PostgreSQL has written it. Same rules as
 * copyRows. Call it on an idle client: the statement and its data go out at once.
 */
export function copyText(
  client: ClientBase,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<void> {
  if (text.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    client.query(
      new PipelinedCopyIn(
        `COPY ${table} (${columns.join(', ')}) FROM STDIN`,
        Buffer.from(text, 'utf8'),
        resolve,
        reject,
      ),
    );
  });
}

/** pg's Connection has these (pg/lib/connection.js); @types/pg does not list them. */
interface CopyConnection extends Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * COPY FROM STDIN with its data sent right behind the statement, not after PostgreSQL's
 * CopyInResponse. Waiting for that answer cost a round trip per COPY, and the answer waited
 * for the event loop: with the server's one thread parsing a request body, PostgreSQL sat
 * in ClientRead with the append lock held (BENCHMARKS.md, "Alert storms and the clock").
 * The protocol allows it (PostgreSQL docs, "COPY Operations"): if the COPY fails before or
 * during copy-in, PostgreSQL answers ErrorResponse and ReadyForQuery and drops any CopyData
 * and CopyDone that follow. A failure rejects; the caller's transaction is then aborted.
 */
class PipelinedCopyIn implements Submittable {
  private settled = false;

  constructor(
    private readonly statement: string,
    private readonly data: Buffer,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  submit(connection: Connection): void {
    const copy = connection as CopyConnection;
    copy.query(this.statement);
    for (let i = 0; i < this.data.length; i += CHUNK_BYTES) {
      copy.sendCopyFromChunk(this.data.subarray(i, i + CHUNK_BYTES));
    }
    copy.endCopyFrom();
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve();
  }

  handleError(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  // The data is already on its way; a COPY FROM answers nothing else.
  handleCopyInResponse(): void {}
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
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
