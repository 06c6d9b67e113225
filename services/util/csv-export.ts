/**
 * Writing CSV for people to open in a spreadsheet (agenda, minutes and list exports). Every value
 * goes through csvCell, which does two things:
 * - RFC 4180 quoting: a value holding a comma, a double quote, a line break or surrounding spaces is
 *   put in double quotes, with each quote doubled, so it stays one cell;
 * - formula neutralising (OWASP "CSV injection"): text starting with = + - @, a tab or a carriage
 *   return would be run as a formula by Excel, LibreOffice or Google Sheets (`=HYPERLINK(...)` in a
 *   pupil's name could send a reader's data elsewhere), so it gets a leading apostrophe, which the
 *   spreadsheet shows as text and hides.
 * Numbers (and booleans) are written as they are: a negative number is a number, not a formula.
 */

export type CsvValue = string | number | boolean | null | undefined | Date;

/** The line ending between rows (RFC 4180; Excel reads it everywhere). */
const CSV_LINE_END = '\r\n';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One cell, quoted and neutralised as needed. null and undefined are empty cells. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row: the cells joined by commas, without a line ending (join rows with CSV_LINE_END, or use csvDocument). */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

/**
 * A whole file: a UTF-8 byte-order mark (so Excel reads accents and names correctly), the rows,
 * each ended by CRLF.
 */
export function csvDocument(rows: readonly (readonly CsvValue[])[]): string {
  return `\ufeff${rows.map((r) => csvRow(r) + CSV_LINE_END).join('')}`;
}
