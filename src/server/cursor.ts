import { AppError } from '../errors.js';

/**
 * Search pages are keyset pages: the cursor is the seq the next page ends before, wrapped
 * so clients treat it as opaque (the encoding may change; its meaning will not).
 */
export function encodeCursor(beforeSeq: number): string {
  return Buffer.from(`s${beforeSeq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const match = /^s(0|[1-9][0-9]{0,15})$/.exec(text);
  const seq = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(seq) || encodeCursor(seq) !== cursor) {
    throw new AppError(
      'bad_request',
      'query parameter "cursor" is not a cursor this server issued; use next_cursor from a previous page',
      {
        path: 'cursor',
      },
    );
  }
  return seq;
}
