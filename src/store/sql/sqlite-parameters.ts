/**
 * better-sqlite3 binds numbers, strings, bigints, Buffers and null. Everything else a query
 * could carry is turned into one of those, or refused: a JS boolean would otherwise fail deep
 * inside a statement, and PostgreSQL would store it as a different type than SQLite does.
 */
export function sqliteParameters(parameters: readonly unknown[]): unknown[] {
  return parameters.map((p) => {
    if (p === undefined) return null;
    if (p instanceof Uint8Array && !Buffer.isBuffer(p))
      return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    if (typeof p === 'boolean') {
      throw new TypeError('state tables store booleans as 0/1: pass a number, not a boolean');
    }
    return p;
  });
}
