import { AppError } from '../errors.js';

/**
 * Where the next search page ends: before `seq` (newest first by seq), or before
 * (`timeMs`, `seq`) when the search is ordered by the source's time.
 */
export interface SearchCursor {
  seq: number;
  timeMs?: number;
}

/**
 * Search pages are keyset pages; the cursor is wrapped so clients treat it as opaque (the
 * encoding may change; its meaning will not).
 */
export function encodeCursor(cursor: SearchCursor): string {
  const text = cursor.timeMs === undefined ? `s${cursor.seq}` : `t${cursor.timeMs}.${cursor.seq}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SearchCursor {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const bySeq = /^s(0|[1-9][0-9]{0,15})$/.exec(text);
  const byTime = /^t(-?(?:0|[1-9][0-9]{0,15}))\.(0|[1-9][0-9]{0,15})$/.exec(text);
  const decoded: SearchCursor | undefined = bySeq
    ? { seq: Number(bySeq[1]) }
    : byTime
      ? { timeMs: Number(byTime[1]), seq: Number(byTime[2]) }
      : undefined;
  if (
    decoded === undefined ||
    !Number.isSafeInteger(decoded.seq) ||
    (decoded.timeMs !== undefined && !Number.isSafeInteger(decoded.timeMs)) ||
    encodeCursor(decoded) !== cursor
  ) {
    throw new AppError(
      'invalid_cursor',
      'query parameter "cursor" is not a cursor this server issued; use next_cursor from a previous page',
      { path: 'cursor' },
    );
  }
  return decoded;
}
