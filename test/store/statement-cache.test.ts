import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  MAX_CACHED_SQL_CHARS,
  MAX_CACHED_SQL_LENGTH,
  MAX_CACHED_STATEMENTS,
  StatementCache,
} from '../../src/store/sqlite/statement-cache.js';

/** `SELECT ?, ?, …` with n parameters: a text per n, as an IN list of n keys is. */
const select = (n: number) => `SELECT ${Array.from({ length: n }, () => '?').join(', ')}`;

describe('StatementCache', () => {
  it('prepares a text once and hands back the same statement, which runs', () => {
    const cache = new StatementCache(new Database(':memory:'));
    const first = cache.get(select(2));
    assert.equal(cache.get(select(2)), first);
    assert.deepEqual(first.raw().get(1, 2), [1, 2]);
    assert.deepEqual(cache.stats, { statements: 1, chars: select(2).length });
  });

  it('does not keep a text longer than MAX_CACHED_SQL_LENGTH (a long IN list)', () => {
    const cache = new StatementCache(new Database(':memory:'));
    const inList = (n: number) =>
      `SELECT count(*) AS n FROM (SELECT 1 AS v) WHERE v IN (${Array.from({ length: n }, () => '?').join(', ')})`;
    let n = 1;
    while (inList(n).length <= MAX_CACHED_SQL_LENGTH) n *= 2;
    const once = cache.get(inList(n));
    assert.notEqual(cache.get(inList(n)), once);
    assert.deepEqual(once.get(...Array.from({ length: n }, (_, i) => i)), { n: 1 });
    assert.deepEqual(cache.stats, { statements: 0, chars: 0 });
  });

  it('keeps at most MAX_CACHED_STATEMENTS, dropping the least recently used first', () => {
    const cache = new StatementCache(new Database(':memory:'));
    const first = cache.get(select(1));
    const second = cache.get(select(2));
    for (let n = 3; n <= MAX_CACHED_STATEMENTS; n++) cache.get(select(n));
    assert.equal(cache.stats.statements, MAX_CACHED_STATEMENTS);
    // Used again, the first is now the most recent: the next new text drops the second.
    assert.equal(cache.get(select(1)), first);
    cache.get(select(MAX_CACHED_STATEMENTS + 1));
    assert.equal(cache.stats.statements, MAX_CACHED_STATEMENTS);
    assert.equal(cache.get(select(1)), first);
    assert.notEqual(cache.get(select(2)), second);
  });

  it('keeps at most MAX_CACHED_SQL_CHARS of text however few the statements', () => {
    const cache = new StatementCache(new Database(':memory:'));
    // Texts just under the length limit, distinct by a comment.
    const text = (i: number) =>
      `SELECT 1 /* ${String(i).padEnd(MAX_CACHED_SQL_LENGTH - 30, '.')} */`;
    for (let i = 0; i < 2 * Math.ceil(MAX_CACHED_SQL_CHARS / MAX_CACHED_SQL_LENGTH); i++) {
      cache.get(text(i));
      assert.ok(cache.stats.chars <= MAX_CACHED_SQL_CHARS, `${cache.stats.chars} characters kept`);
    }
    assert.ok(cache.stats.statements > 1);
    assert.ok(cache.stats.statements < MAX_CACHED_STATEMENTS);
  });
});
