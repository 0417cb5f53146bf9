/**
 * `COPY … FROM STDIN` with the plain `pg` client, for the bench's limit (kept apart from the
 * adapter's writer, src/store/postgres/copy-rows.ts, so the limit does not move with the code
 * it measures): a Submittable that sends the statement over the simple query protocol, answers the server's
 * CopyInResponse with the data in CopyData messages and CopyDone, and resolves with the
 * server's row count once it is ready again. Text format: tab-separated columns, `\N` for
 * NULL, backslash escapes; bytea as `\\x<hex>`.
 */
import type { Client, Connection, Submittable } from 'pg';

/** pg's Connection has these (connection.js); @types/pg does not list them. */
interface CopyConnection extends Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_BYTES = 1 << 20;

class CopyIn implements Submittable {
  rowCount = 0;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly resolve: (rows: number) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (let i = 0; i < this.data.length; i += CHUNK_BYTES) {
      connection.sendCopyFromChunk(this.data.subarray(i, i + CHUNK_BYTES));
    }
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text: string }): void {
    const match = /^COPY (\d+)/.exec(message.text);
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(this.rowCount);
  }

  handleError(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  // Not expected from a COPY FROM; present so pg never calls a missing handler.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY <table> (<columns>) FROM STDIN` with `data` (text format); resolves to the rows copied. */
export function copyFrom(client: Client, statement: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(statement, data, resolve, reject));
  });
}
