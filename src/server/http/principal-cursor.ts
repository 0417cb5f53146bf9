import { AppError } from '../../errors.js';

/**
 * The `cursor` of GET /api/v1/principals: where the next page starts (after a principal id),
 * opaque to clients. Anything this server did not issue is a 400.
 */
const PREFIX = 'p1:';
const ID = /^[0-9A-Za-z_-]{1,128}$/;

export function encodePrincipalCursor(afterId: string): string {
  return Buffer.from(`${PREFIX}${afterId}`, 'utf8').toString('base64url');
}

export function decodePrincipalCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  if (!ID.test(id) || encodePrincipalCursor(id) !== cursor) {
    throw new AppError('invalid_cursor', 'the cursor was not issued by this list of principals', {
      path: 'cursor',
    });
  }
  return id;
}
