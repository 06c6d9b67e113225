import { hasControlCharacters } from '../util/text-input';
import { CsvRecord } from './csv-reader';

const EMPTY_RECORD = new CsvRecord();

/**
 * One CSV row as importers see it: values by column name, and a place to report what is wrong.
 *
 * Field parsers below are the import edge's validation. They are hand-written rather than zod
 * schemas because they run once per field of files with millions of rows, and because each message
 * has to name the column and must not echo a child's personal data (names, UPN, date of birth):
 * every parser takes `echo`, and prints the offending value only when it is told it is harmless
 * (a school URN, a phase, a code).
 */
export class RowView {
  /** 1-based line of the file. */
  line = 0;
  private record: CsvRecord = EMPTY_RECORD;
  private problems = 0;

  constructor(
    /** Column name (normalised) -> field index; absent optional columns are missing from the map. */
    private readonly positions: ReadonlyMap<string, number>,
    private readonly report: (line: number, column: string, problem: string) => void,
  ) {}

  /** Points the view at the next row (a reader's record, or plain values in tests). */
  reset(line: number, fields: CsvRecord | readonly string[]): void {
    this.line = line;
    this.record = fields instanceof CsvRecord ? fields : CsvRecord.of(line, fields);
    this.problems = 0;
  }

  /** True when the file has the column (optional columns may be absent). */
  has(column: string): boolean {
    return this.positions.has(column);
  }

  /** The value with surrounding spaces removed; '' when empty or the column is absent. */
  get(column: string): string {
    const at = this.positions.get(column);
    if (at === undefined) return '';
    return this.record.field(at).trim();
  }

  // Raw access for importers that read millions of rows: no string per field. Fields are untrimmed
  // text[start(i), end(i)); a hot path decides only when the raw text is unambiguous and otherwise
  // falls back to get(), so both give the same answers.

  /** The column's field index, or -1 when the file lacks it. Look it up once per file, not per row. */
  position(column: string): number {
    return this.positions.get(column) ?? -1;
  }

  /** The text the fields of this row lie in. */
  get text(): string {
    return this.record.text;
  }

  /** Start of field i in `text` (untrimmed; a missing field is empty). */
  start(i: number): number {
    return i >= 0 && i < this.record.count ? this.record.start(i) : 0;
  }

  /** End of field i in `text`. */
  end(i: number): number {
    return i >= 0 && i < this.record.count ? this.record.end(i) : 0;
  }

  /** True when field i is exactly `value`, character for character (untrimmed). */
  equals(i: number, value: string): boolean {
    const from = this.start(i);
    if (this.end(i) - from !== value.length) return false;
    const text = this.record.text;
    for (let k = 0; k < value.length; k++) if (text.charCodeAt(from + k) !== value.charCodeAt(k)) return false;
    return true;
  }

  /** Records a problem with a column of this row. Returns undefined so parsers can `return row.fail(...)`. */
  fail(column: string, problem: string): undefined {
    this.problems++;
    this.report(this.line, column, problem);
    return undefined;
  }

  /** True when any problem was recorded for this row. */
  get failed(): boolean {
    return this.problems > 0;
  }
}

export interface TextOptions {
  maxLength?: number;
  /**
   * A name (a person's, a school's, a district's): refused when it starts with = + - or @, which a
   * spreadsheet opening an export would run as a formula (`=HYPERLINK(...)`). No real name does.
   */
  name?: boolean;
}

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
const FORMULA_START = /^[=+\-@]/;

/**
 * The checks shared by every free-text column. Line breaks and other control characters are
 * refused: a one-line value holding them is a broken export, and PostgreSQL refuses a NUL. The
 * value is never echoed (it may be a child's name).
 */
function textProblem(value: string, options: TextOptions): string | undefined {
  if (options.maxLength !== undefined && value.length > options.maxLength) return `is longer than ${options.maxLength} characters`;
  if (hasControlCharacters(value)) return 'contains a line break or another control character';
  if (options.name && FORMULA_START.test(value)) return 'starts with =, +, - or @ (a spreadsheet would read it as a formula)';
  return undefined;
}

/** A value that must be present. */
export function requiredText(row: RowView, column: string, options: TextOptions = {}): string | undefined {
  const value = row.get(column);
  if (value === '') return row.fail(column, 'is empty');
  const problem = textProblem(value, options);
  return problem === undefined ? value : row.fail(column, problem);
}

/** A value that may be empty: null then. */
export function optionalText(row: RowView, column: string, options: TextOptions = {}): string | null | undefined {
  const value = row.get(column);
  if (value === '') return null;
  const problem = textProblem(value, options);
  return problem === undefined ? value : row.fail(column, problem);
}

/** A school's DfE unique reference number: six digits. */
export function schoolUrn(row: RowView, column: string): number | undefined {
  const value = row.get(column);
  if (value === '') return row.fail(column, 'is empty');
  const urn = value.length === 6 ? digits(value, 0, 6) : -1;
  if (urn < 0) return row.fail(column, `"${clip(value)}" is not a URN (six digits)`);
  return urn;
}

/** Lower-cases and turns spaces, hyphens and other punctuation into single underscores. */
export function normaliseWord(value: string): string {
  return value
    .toLowerCase()
    .replace(/\+/g, '_plus')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export interface ChoiceOptions {
  /** Whether the offending value may be shown in the message (never for a child's data). */
  echo: boolean;
  /** Short list of accepted values for the message, e.g. "E, K or N". */
  expected: string;
}

/** One of a fixed set of spellings, looked up after normaliseWord. */
export function choice<T>(row: RowView, column: string, spellings: ReadonlyMap<string, T>, options: ChoiceOptions): T | undefined {
  const value = row.get(column);
  if (value === '') return row.fail(column, `is empty (expected ${options.expected})`);
  // Most files use the canonical spelling: a lower-case lookup finds it without the regexes.
  const found = spellings.get(value.toLowerCase()) ?? spellings.get(normaliseWord(value));
  if (found === undefined) {
    const shown = options.echo ? `"${clip(value)}" is not` : 'is not';
    return row.fail(column, `${shown} ${options.expected}`);
  }
  return found;
}

const FLAG_SPELLINGS: ReadonlyMap<string, 0 | 1> = new Map<string, 0 | 1>([
  ['y', 1],
  ['yes', 1],
  ['true', 1],
  ['1', 1],
  ['n', 0],
  ['no', 0],
  ['false', 0],
  ['0', 0],
]);

/** A yes/no flag stored as 1/0: Y/N, yes/no, true/false, 1/0 (any case). */
export function flag(row: RowView, column: string): 0 | 1 | undefined {
  return choice(row, column, FLAG_SPELLINGS, { echo: false, expected: 'Y or N (also yes/no, true/false, 1/0)' });
}

const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * A calendar date as ISO text. Accepts YYYY-MM-DD, and DD/MM/YYYY because spreadsheet programs set
 * to a UK locale rewrite dates that way when they save a CSV. The value is never echoed: a date of
 * birth identifies a child.
 */
export function date(row: RowView, column: string): string | undefined {
  const value = row.get(column);
  if (value === '') return row.fail(column, 'is empty (expected a date, YYYY-MM-DD)');
  let iso = value;
  const uk = value.length !== 10 || value.charCodeAt(4) !== 45 ? UK_DATE.exec(value) : null;
  if (uk) iso = `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}`;
  if (!isCalendarDate(iso)) return row.fail(column, 'is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)');
  return iso;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for a real date written YYYY-MM-DD (same answers as calendar/dates isIsoDate, without
 * building a Date: this runs once per row of files with millions of rows).
 */
export function isCalendarDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** The number written by value[from..to), or -1 if any character there is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Shortens a value for a message so one silly field cannot flood the error list. */
export function clip(value: string, max = 40): string {
  return value.length <= max ? value : `${value.slice(0, max)}...`;
}
