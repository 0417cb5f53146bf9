/**
 * A statement text with its plain constants taken out: `where aid = 42` and `where aid = 7`
 * share the shape `where aid = $i`. Texts of one shape differ only in the values of constants
 * the lexer reads as the same kind of token, so PostgreSQL parses them alike and normalises
 * them to the same text. The classifier reads one text per shape instead of one per text.
 *
 * Only what can be cut safely by a simple scan is taken: integers of up to 9 digits (always
 * an integer token: 2^31 has 10), decimals and longer integers, and single-quoted strings
 * with no quote or backslash inside. A text holding anything the scan cannot follow — `$`
 * (parameters, dollar quoting), a double quote, a backslash, a comment, a prefixed string
 * (`E'…'`, `B'…'`, `U&'…'`), a number glued to a word (`1e5`, `0x1F`) or a non-ASCII
 * character — has no shape. `$` never occurs in a text with a shape, so the markers
 * `$i`, `$d`, `$s` cannot be confused with the text's own characters.
 */
export interface LiteralShape {
  key: string;
  /** The shape with its markers numbered `$1`, `$2`, … (what normalisation gives when it
   * replaced exactly these constants). */
  numbered: string;
}

export function literalShape(sql: string): LiteralShape | undefined {
  let key = '';
  let numbered = '';
  let from = 0;
  let n = 0;
  const cut = (start: number, end: number, marker: string) => {
    const between = sql.slice(from, start);
    key += between + marker;
    numbered += `${between}$${++n}`;
    from = end;
  };
  for (let i = 0; i < sql.length; ) {
    const c = sql.charCodeAt(i);
    if (c > 0x7e || c === 0x24 || c === 0x22 || c === 0x5c) return undefined; // non-ASCII $ " \
    if (
      (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) ||
      (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a)
    )
      return undefined; // -- and /* comments
    if (c === 0x27) {
      if (i > 0 && isWordChar(sql.charCodeAt(i - 1))) return undefined; // E'…', B'…', U&'…'
      const close = sql.indexOf("'", i + 1);
      if (close === -1 || sql.charCodeAt(close + 1) === 0x27) return undefined; // '' inside
      // With standard_conforming_strings off, a backslash escapes the quote after it.
      if (sql.lastIndexOf('\\', close) > i) return undefined;
      cut(i, close + 1, '$s');
      i = close + 1;
      continue;
    }
    if (isDigit(c)) {
      if (i > 0 && (isWordChar(sql.charCodeAt(i - 1)) || sql.charCodeAt(i - 1) === 0x2e)) {
        // A digit inside a name (t1, col_2): part of the text.
        i++;
        continue;
      }
      let end = i;
      while (isDigit(sql.charCodeAt(end))) end++;
      let decimal = false;
      if (sql.charCodeAt(end) === 0x2e && isDigit(sql.charCodeAt(end + 1))) {
        decimal = true;
        end++;
        while (isDigit(sql.charCodeAt(end))) end++;
      }
      const next = sql.charCodeAt(end);
      if (isWordChar(next) || next === 0x2e) return undefined; // 1e5, 0x1F, 1.2.3, 5.
      cut(i, end, decimal || end - i > 9 ? '$d' : '$i');
      i = end;
      continue;
    }
    i++;
  }
  if (n === 0) return undefined; // no constants: the text is its own key
  const rest = sql.slice(from);
  return { key: key + rest, numbered: numbered + rest };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Letters, digits, `_` and `&` (U&'…'); NaN (past the end) is not. */
function isWordChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x26
  );
}
