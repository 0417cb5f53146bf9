/**
 * One CSV record (RFC 4180: "" escapes a quote inside a quoted field, quoted fields may hold
 * commas and newlines) starting at `start`. Returns the fields and the offset after the
 * record's line end, or undefined when a quoted field is not closed.
 */
export function readCsvRecord(
  text: string,
  start: number,
): { fields: string[]; end: number } | undefined {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    let value = '';
    if (text[at] === '"') {
      at++;
      for (;;) {
        const q = text.indexOf('"', at);
        if (q < 0) return undefined;
        value += text.slice(at, q);
        if (text[q + 1] === '"') {
          value += '"';
          at = q + 2;
        } else {
          at = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the separator is kept, as PostgreSQL never writes it.
      while (at < text.length && text[at] !== ',' && text[at] !== '\n' && text[at] !== '\r')
        value += text[at++];
    } else {
      let end = at;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r')
        end++;
      value = text.slice(at, end);
      at = end;
    }
    fields.push(value);
    if (text[at] === ',') {
      at++;
      continue;
    }
    if (text[at] === '\r') at++;
    if (text[at] === '\n') at++;
    return { fields, end: at };
  }
}
