/**
 * CSV text, pure (RFC 4180): cells quoted when they hold a comma, quote, line break or edge spaces,
 * quotes doubled, lines ended with CRLF. Text cells that a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return) get a leading apostrophe, so a card titled
 * `=HYPERLINK(...)` stays text when the file is opened (OWASP's CSV-injection advice).
 */
export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as CSV: a header row, then one line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** A file name made of plain words, e.g. `OPS backlog 2026-12-04` → `ops-backlog-2026-12-04`. */
export function fileSlug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'export'
  );
}
