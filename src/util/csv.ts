/**
 * RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled, lines
 * end in CRLF. A cell that a spreadsheet would run as a formula (leading =, +, -, @, tab or
 * carriage return) gets a leading apostrophe, as OWASP advises for CSV exports: notes and
 * titles are typed by people and rule authors, and an auditor opens the file in Excel.
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
