import { stat } from 'node:fs/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { todayInLondon } from '../calendar/dates';
import { systemClock, type Clock } from '../clock';
import { describeError } from '../logger';
import type { Database } from '../store/database';
import type { Engine } from '../store/engine';
import type { Store } from '../store/open-store';
import { readCsvFile, type CsvRecord } from './csv-reader';
import { normaliseWord, RowView } from './fields';
import { silentProgress, type ProgressSink } from './progress';

/**
 * The CSV import framework: one runner, one small `Importer` per kind of file.
 *
 * How an import runs (runImport):
 *  1. `prepare` loads what validation needs from the store (known schools, districts, ...).
 *  2. Check pass: the file is streamed once; the header is matched to `columns`; every row goes
 *     through `parse`, which returns a typed record or reports problems (or through `check`, for an
 *     importer that validates without building records); `key` finds duplicates within the file.
 *     Problems read `file:line: column: problem`; after `maxErrors` the pass stops.
 *     Nothing is written when any problem was found.
 *  3. Write pass, in ONE transaction: the file is streamed again, rows parsed again, and records
 *     handed to `write` in batches of `batchSize(engine)`. Any failure rolls everything back. The
 *     file is checked for changes between the passes (size, modification time, row count).
 *     An importer may instead keep compact results during the check pass and write them with
 *     `writeKept` (no second read) when they fit in a bounded amount of memory.
 * Two passes keep memory flat for files of millions of rows (records are never all held at once)
 * while still validating every row before the first write.
 *
 * Adding an importer (e.g. attendance, exclusions):
 *  - Write services/importers/<kind>-importer.ts exporting an `Importer<Record, Context>`:
 *    `columns` (names as in the header, lower_snake_case; `required: false` for optional ones),
 *    `prepare`, `parse` (use the parsers in fields.ts; never echo a child's name, UPN or date of
 *    birth in a problem), optional `key` + `keyColumn`, `batchSize`, and `write`.
 *  - `write` gets an `ImportTx`: `tx.db` is the transaction (Kysely; use it on both engines). On
 *    SQLite `tx.sqlite` is the raw better-sqlite3 handle inside the same transaction: use it only
 *    where a bench shows Kysely is too slow (today only the attendance week upserts, see
 *    services/store/attendance-week-upsert.ts). Never use `store.db` from inside `write`: on SQLite it waits for the
 *    connection the transaction holds.
 *  - Re-importing the same file must change nothing: compare with what is stored and count
 *    inserted / updated / unchanged (extra counts, e.g. "enrolments started", go in `counts.other`).
 *  - Register the importer in registry.ts (one line); scripts/import.ts then offers the new kind.
 *  - Document the format in docs/data-formats.md and add fixtures and tests under
 *    test/fixtures/import/ and test/services/importers/ (test/helpers/test-stores.ts runs a suite
 *    on both engines).
 * For very large files, `key` keeps one map entry per row: leave it out and detect duplicates more
 * cheaply in `parse` (e.g. rows sorted by key) if that is too much memory.
 */

export interface ColumnSpec {
  /** As it appears in the header after normalising: lower case, words joined by underscores. */
  name: string;
  required: boolean;
}

/** The write side of an import: everything here runs inside one transaction. */
export interface ImportTx {
  db: Kysely<Database>;
  engine: Engine;
  /** SQLite only: the raw handle, already inside the import's transaction (only for a bench-proven bulk path). */
  sqlite?: BetterSqlite3.Database;
}

export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Further counts worth reporting, e.g. { 'districts created': 2 }. */
  other: Record<string, number>;
}

/** Facts an import run needs besides the file: when it runs and which authority it is for. */
export interface ImportEnv {
  /** The import date (Europe/London). */
  today: string;
  /** The import instant, ISO. */
  now: string;
  /** Used only when the store has no local authority yet. */
  laCode: string;
  laName: string;
}

export interface Importer<Rec, Ctx> {
  /** The word on the command line: `npm run import -- <kind> <file>`. */
  kind: string;
  /** One line for the usage text. */
  description: string;
  columns: readonly ColumnSpec[];
  /** Loads what validation and writing need. May throw ImportSetupError. */
  prepare(db: Kysely<Database>, env: ImportEnv): Promise<Ctx>;
  /** Validates one row: a record, or undefined after reporting problems with row.fail. No I/O. */
  parse(row: RowView, ctx: Ctx): Rec | undefined;
  /**
   * Optional: the check pass's own validation of one row, for files too big for a record per row.
   * It reports problems with row.fail (the same ones parse would) and may keep what `writeKept`
   * needs; the check pass then calls it instead of `parse`, and `parse` runs on the write pass only.
   * Not combined with `key`, which needs the check pass's records.
   */
  check?(row: RowView, ctx: Ctx): void;
  /** The record's natural key, for finding duplicates within the file. */
  key?(record: Rec): string;
  /** The column a duplicate is reported against. */
  keyColumn?: string;
  /** Records per call of write. */
  batchSize(engine: Engine): number;
  /** Writes one batch inside the import transaction and adds to the counts. */
  write(tx: ImportTx, batch: Rec[], ctx: Ctx, counts: ImportCounts): Promise<void>;
  /**
   * Optional: writes what `parse` kept in the context during the check pass, and returns true; the
   * runner then skips the write pass's second read of the file. Returns false when nothing was kept
   * (e.g. the file was too big to hold), and the file is streamed through `write` as usual.
   */
  writeKept?(tx: ImportTx, ctx: Ctx, counts: ImportCounts): Promise<boolean>;
}

/** The store is not in a state the import can work with (not a problem with the file). */
export class ImportSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSetupError';
  }
}

export interface ImportOptions {
  clock?: Clock;
  progress?: ProgressSink;
  /** Problems collected before the check pass stops. */
  maxErrors?: number;
  laCode?: string;
  laName?: string;
}

export interface ImportResult {
  ok: boolean;
  kind: string;
  file: string;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  counts: ImportCounts;
  /** `file:line: column: problem` lines; empty when ok. */
  errors: string[];
  /** True when the check pass stopped at maxErrors: there may be more problems. */
  truncated: boolean;
  /** Header columns the importer does not use. */
  ignoredColumns: string[];
}

const DEFAULT_MAX_ERRORS = 50;
export const DEFAULT_LA_CODE = '925';
export const DEFAULT_LA_NAME = 'Lincolnshire (sample)';

const FILE_CHANGED = 'the file changed while it was being imported; nothing was changed';

/** Thrown inside the write transaction to roll it back; the message is safe to show. */
class WriteAbort extends Error {}

// Importers in the registry have different record and context types; the runner treats them alike.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyImporter = Importer<any, any>;

export async function runImport(store: Store, importer: AnyImporter, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const clock = options.clock ?? systemClock;
  const progress = options.progress ?? silentProgress;
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const counts: ImportCounts = { inserted: 0, updated: 0, unchanged: 0, other: {} };
  const result: ImportResult = { ok: false, kind: importer.kind, file, rows: 0, counts, errors: [], truncated: false, ignoredColumns: [] };

  let before;
  try {
    before = await stat(file);
    if (!before.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    result.errors.push(`${file}: cannot be read (${fileErrorText(error)})`);
    return result;
  }

  const env: ImportEnv = {
    today: todayInLondon(clock),
    now: clock.now().toISOString(),
    laCode: options.laCode ?? DEFAULT_LA_CODE,
    laName: options.laName ?? DEFAULT_LA_NAME,
  };

  let ctx: unknown;
  try {
    ctx = await importer.prepare(store.db, env);
  } catch (error) {
    if (error instanceof ImportSetupError) {
      result.errors.push(`${file}: ${error.message}`);
      return result;
    }
    throw error;
  }

  // ---- check pass ----
  const report = (line: number, column: string, problem: string): boolean => {
    if (result.errors.length >= maxErrors) {
      result.truncated = true;
      return false;
    }
    result.errors.push(`${file}:${line}: ${column}: ${problem}`);
    return true;
  };
  const seen = new Map<string, number>();
  let checked = 0;
  progress.start('checking', before.size);
  try {
    await scanFile(file, importer, report, result, (row) => {
      checked++;
      if (row.failed) return;
      if (importer.check) {
        importer.check(row, ctx);
        return;
      }
      const record = importer.parse(row, ctx);
      if (row.failed || record === undefined || !importer.key) return;
      const key = importer.key(record);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, row.line);
      else row.fail(importer.keyColumn ?? importer.columns[0]!.name, `the same value is already on line ${first}`);
    }, (bytes) => progress.update(bytes, checked), () => result.errors.length >= maxErrors);
  } catch (error) {
    result.errors.push(`${file}: cannot be read (${fileErrorText(error)})`);
    return result;
  }
  progress.finish(checked);
  seen.clear();
  if (result.errors.length >= maxErrors) result.truncated = true;
  result.rows = checked;
  if (result.errors.length > 0) return result;
  if (checked === 0) {
    result.ok = true;
    return result;
  }

  // ---- write pass ----
  const batchSize = Math.max(1, importer.batchSize(store.engine));
  let written = 0;
  const writeErrors: string[] = [];
  progress.start('writing', before.size);
  try {
    await store.db.transaction().execute(async (trx) => {
      // Writers look rows up by key, batch by batch, in tables that grow as the import runs; the
      // PostgreSQL planner's row estimates lag behind (a fresh table has none) and it picks
      // sequential scans that make a 100,000-row import several times slower. For this
      // transaction only, steer it to the indexes.
      if (store.engine === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
      const tx: ImportTx = { db: trx, engine: store.engine, sqlite: store.sqlite };
      if (importer.writeKept && (await importer.writeKept(tx, ctx, counts))) {
        // Written from what the check pass kept: exactly the rows that were checked.
        written = checked;
        progress.update(before.size, written);
        return;
      }
      let batch: unknown[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        await importer.write(tx, full, ctx, counts);
      };
      let grew = false;
      const collect = (row: RowView) => {
        if (row.failed) return;
        const record = importer.parse(row, ctx);
        if (row.failed || record === undefined) return;
        written++;
        if (written > checked) grew = true;
        else batch.push(record);
      };
      const rereport = (line: number, column: string, problem: string): boolean => {
        writeErrors.push(`${file}:${line}: ${column}: ${problem}`);
        return false;
      };
      const rescan: ImportResult = { ...result, ignoredColumns: [] };
      await scanFile(file, importer, rereport, rescan, collect, async (bytes) => {
        // Full batches only; the rest waits for the next chunk so statements stay large.
        let start = 0;
        while (batch.length - start >= batchSize) {
          await importer.write(tx, batch.slice(start, start + batchSize), ctx, counts);
          start += batchSize;
        }
        if (start > 0) batch = batch.slice(start);
        progress.update(bytes, written);
      }, () => writeErrors.length > 0 || grew, before.size);
      if (writeErrors.length > 0 || grew) throw new WriteAbort(FILE_CHANGED);
      await flush();
      const after = await stat(file);
      if (written !== checked || after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw new WriteAbort(FILE_CHANGED);
    });
  } catch (error) {
    progress.finish(written);
    counts.inserted = counts.updated = counts.unchanged = 0;
    counts.other = {};
    const reason = error instanceof WriteAbort || error instanceof ImportSetupError ? error.message : `the store refused the import, nothing was changed (${describeError(error).message})`;
    result.errors.push(`${file}: ${reason}`);
    return result;
  }
  progress.finish(written);
  result.ok = true;
  return result;
}

/**
 * Streams the file once: matches the header and hands each data row to `onRow`, already failed
 * when its field count is wrong; each pass validates the rest its own way. Shared by both passes.
 */
async function scanFile(
  file: string,
  importer: AnyImporter,
  report: (line: number, column: string, problem: string) => boolean,
  result: ImportResult,
  onRow: (row: RowView) => void,
  afterChunk: (bytes: number) => Promise<void> | void,
  shouldStop: () => boolean,
  maxBytes?: number,
): Promise<void> {
  let row: RowView | undefined;
  let width = 0;
  let headerSeen = false;

  await readCsvFile(
    file,
    {
      record(record: CsvRecord) {
        if (isBlankRecord(record)) return true;
        if (!headerSeen) {
          headerSeen = true;
          const header = matchHeader(record.fields, importer.columns);
          result.ignoredColumns = header.ignored;
          for (const problem of header.problems) {
            if (!report(record.line, 'header', problem)) return false;
          }
          // Without the required columns no row can be checked: stop at the header.
          if (header.problems.length > 0) return false;
          width = header.width;
          row = new RowView(header.positions, (line, column, problem) => {
            report(line, column, problem);
          });
          return true;
        }
        const view = row!;
        const count = record.count;
        if (count < width || (count > width && !isBlankRecord(record, width))) {
          view.reset(record.line, record);
          view.fail('row', `has ${count} fields; the header has ${width}`);
          onRow(view);
          return !shouldStop();
        }
        view.reset(record.line, record);
        onRow(view);
        return !shouldStop();
      },
      problem(line: number, message: string) {
        report(line, 'csv', message);
        return !shouldStop();
      },
    },
    { afterChunk, maxBytes },
  );
  if (!headerSeen) report(1, 'header', 'the file is empty: a header row is required');
}

interface HeaderMatch {
  positions: Map<string, number>;
  problems: string[];
  ignored: string[];
  /** Columns up to the last named one: rows need this many fields (more only if empty). */
  width: number;
}

/** Header names are matched after normalising ("Date of birth" = date_of_birth). */
export function matchHeader(fields: readonly string[], columns: readonly ColumnSpec[]): HeaderMatch {
  const positions = new Map<string, number>();
  const problems: string[] = [];
  const ignored: string[] = [];
  const known = new Set(columns.map((c) => c.name));
  // Spreadsheets pad the header with empty cells after the last column: those are not columns.
  let width = fields.length;
  while (width > 0 && normaliseWord(fields[width - 1]!) === '') width--;
  fields.slice(0, width).forEach((raw, index) => {
    const name = normaliseWord(raw);
    if (name === '') {
      problems.push(`column ${index + 1} has no name`);
      return;
    }
    if (positions.has(name)) {
      problems.push(`column "${name}" appears twice`);
      return;
    }
    if (!known.has(name)) {
      ignored.push(name);
      return;
    }
    positions.set(name, index);
  });
  for (const column of columns) {
    if (column.required && !positions.has(column.name)) problems.push(`missing column "${column.name}"`);
  }
  return { positions, problems, ignored, width };
}

/** True when every field from `from` on is empty or spaces (Excel pads rows with empty cells). */
function isBlankRecord(record: CsvRecord, from = 0): boolean {
  const text = record.text;
  for (let i = from; i < record.count; i++) {
    const start = record.start(i);
    if (start === record.end(i)) continue;
    // A printable ASCII character first means not blank, without making the field's string.
    const c = text.charCodeAt(start);
    if (c > 32 && c < 127) return false;
    if (record.field(i).trim() !== '') return false;
  }
  return true;
}

function fileErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return describeError(error).message;
}
