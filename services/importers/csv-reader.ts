import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * A streaming CSV reader (RFC 4180): comma-separated, fields optionally in double quotes with `""`
 * for a quote inside, records ending in CRLF or LF, an optional UTF-8 byte-order mark.
 *
 * Built for files of millions of lines: records are handed to a callback synchronously through one
 * reused record object. Unquoted lines (nearly all of a typical export) are split with `indexOf`,
 * which V8 runs as a memchr-like scan, into field offsets in the text read: no string is made for a
 * field until someone asks for it, so a hot importer can read a row with no allocation at all. The
 * quote-aware path only runs on lines that contain a quote.
 *
 * Blank lines are skipped. The reader knows nothing about headers: the first record is whatever
 * the file starts with (see importer.ts for the header rules).
 */

/**
 * One record. The object is reused for the next record: copy anything you keep. Fields live as
 * offsets into `text`; `fields` and `field(i)` make strings on demand.
 */
export class CsvRecord {
  /** 1-based line of the file where the record starts (a quoted field may span lines). */
  line = 0;
  /** Text holding the fields: field i is text[start(i), end(i)). */
  text = '';
  /** Number of fields. */
  count = 0;
  /** [start0, end0, start1, end1, ...]; grows for wide files. */
  private bounds = new Int32Array(64);
  private strings: string[] | null = null;

  /** A record over given field values (tests, and the rare quoted line). */
  static of(line: number, fields: readonly string[]): CsvRecord {
    const record = new CsvRecord();
    record.line = line;
    record.setFields(fields);
    return record;
  }

  /** The fields as strings, made on first use for this record. */
  get fields(): string[] {
    if (this.strings === null) {
      const out: string[] = new Array(this.count);
      for (let i = 0; i < this.count; i++) out[i] = this.text.slice(this.bounds[2 * i]!, this.bounds[2 * i + 1]!);
      this.strings = out;
    }
    return this.strings;
  }

  /** Field i as a string (untrimmed); '' past the last field. */
  field(i: number): string {
    if (i >= this.count) return '';
    if (this.strings !== null) return this.strings[i]!;
    return this.text.slice(this.bounds[2 * i]!, this.bounds[2 * i + 1]!);
  }

  start(i: number): number {
    return this.bounds[2 * i]!;
  }

  end(i: number): number {
    return this.bounds[2 * i + 1]!;
  }

  /** @internal Starts a record over `text` (the reader's chunk). */
  begin(text: string): void {
    this.text = text;
    this.count = 0;
    this.strings = null;
  }

  /** @internal Adds the field text[start, end). */
  push(start: number, end: number): void {
    const at = 2 * this.count++;
    if (at + 2 > this.bounds.length) {
      const wider = new Int32Array(this.bounds.length * 2);
      wider.set(this.bounds);
      this.bounds = wider;
    }
    this.bounds[at] = start;
    this.bounds[at + 1] = end;
  }

  /** @internal Holds ready-made field values (quoted records): they are laid end to end in `text`. */
  setFields(fields: readonly string[]): void {
    this.begin(fields.join(''));
    let at = 0;
    for (const f of fields) {
      this.push(at, at + f.length);
      at += f.length;
    }
    this.strings = [...fields];
  }
}

export interface CsvVisitor {
  /** One record. Return false to stop reading. */
  record(record: CsvRecord): boolean | void;
  /** A syntax problem; the record it is in is skipped. Return false to stop reading. */
  problem(line: number, message: string): boolean | void;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
const REPLACEMENT_CHAR = '\uFFFD';

/** A record longer than this is almost surely an unclosed quote; stop rather than buffer the file. */
export const MAX_RECORD_CHARS = 1 << 20;

export const CSV_PROBLEMS = {
  notUtf8: 'the line is not valid UTF-8 text: save the file as "CSV UTF-8"',
  unclosedQuote: 'a quoted field is not closed: a closing " is missing',
  textAfterQuote: 'text after the closing quote of a field: put the whole field in quotes and double any " inside it',
  quoteInField: 'a " inside an unquoted field: put the whole field in quotes and double any " inside it',
  tooLong: `a record runs on for more than ${MAX_RECORD_CHARS} characters: a closing " is probably missing`,
} as const;

export class CsvParser {
  private carry = '';
  private line = 1;
  private started = false;
  private ended = false;
  private halted = false;
  private readonly current = new CsvRecord();
  /** Field values of a quoted record, unescaped. */
  private readonly quoted: string[] = [];
  // Set by parseQuoted: whether the record it read is usable, and how many line breaks it held.
  private quotedOk = false;
  private quotedBreaks = 0;

  constructor(private readonly visitor: CsvVisitor) {}

  /** True once the visitor asked to stop or a fatal problem was met. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Feeds the next piece of text; pieces may split records and lines anywhere. */
  write(text: string): void {
    if (this.ended) throw new Error('CsvParser.write after end');
    this.parse(text, false);
  }

  /** Signals the end of the input: a last line without a line break is a record too. */
  end(): void {
    if (this.ended) return;
    this.parse('', true);
    this.ended = true;
  }

  private parse(text: string, final: boolean): void {
    if (this.halted) return;
    let buf = this.carry.length > 0 ? this.carry + text : text;
    this.carry = '';
    if (!this.started) {
      if (buf.length === 0) return;
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      this.started = true;
    }
    const len = buf.length;
    const record = this.current;
    // Positions of the next quote, comma and replacement character at or after the cursor, found
    // once and reused until the cursor passes them: rescanning from every line would be quadratic
    // in a chunk that holds none.
    let nextQuote = buf.indexOf('"');
    let nextComma = buf.indexOf(',');
    let nextBad = buf.indexOf(REPLACEMENT_CHAR);
    let pos = 0;

    while (pos < len && !this.halted) {
      let nl = buf.indexOf('\n', pos);
      if (nl === -1) {
        if (!final) break;
        nl = len;
      }
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf('"', pos);

      if (nextQuote === -1 || nextQuote > nl) {
        // Fast path: no quote on this line.
        let end = nl;
        if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
        const line = this.line++;
        if (end > pos) {
          if (nextBad !== -1 && nextBad < pos) nextBad = buf.indexOf(REPLACEMENT_CHAR, pos);
          if (nextBad !== -1 && nextBad < end) {
            this.problem(line, CSV_PROBLEMS.notUtf8);
          } else {
            record.begin(buf);
            let start = pos;
            for (;;) {
              if (nextComma !== -1 && nextComma < start) nextComma = buf.indexOf(',', start);
              if (nextComma === -1 || nextComma >= end) {
                record.push(start, end);
                break;
              }
              record.push(start, nextComma);
              start = nextComma + 1;
            }
            this.emit(line);
          }
        }
        pos = nl + 1;
      } else {
        const line = this.line;
        const next = this.parseQuoted(buf, pos, final, line);
        if (next < 0) break;
        this.line += this.quotedBreaks + 1;
        if (this.quotedOk) {
          if (nextBad !== -1 && nextBad < pos) nextBad = buf.indexOf(REPLACEMENT_CHAR, pos);
          if (nextBad !== -1 && nextBad < next) this.problem(line, CSV_PROBLEMS.notUtf8);
          else {
            record.setFields(this.quoted);
            this.emit(line);
          }
        }
        pos = next;
      }
    }

    if (pos < len && !this.halted) {
      this.carry = buf.slice(pos);
      if (this.carry.length > MAX_RECORD_CHARS) {
        this.problem(this.line, CSV_PROBLEMS.tooLong);
        this.halted = true;
        this.carry = '';
      }
    }
  }

  /**
   * Reads one record that has a quote in it, starting at `pos`. Returns the position after the
   * record's line break, or -1 when the buffer ends before the record does (more text needed).
   */
  private parseQuoted(buf: string, pos: number, final: boolean, line: number): number {
    const len = buf.length;
    const fields = this.quoted;
    fields.length = 0;
    let breaks = 0;
    let i = pos;
    for (;;) {
      if (i < len && buf.charCodeAt(i) === QUOTE) {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q === -1) {
            if (!final) return -1;
            breaks += countBreaks(buf, j, len);
            return this.quotedFailure(line, CSV_PROBLEMS.unclosedQuote, breaks, len);
          }
          value += buf.slice(j, q);
          if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
            continue;
          }
          if (q + 1 >= len && !final) return -1;
          i = q + 1;
          break;
        }
        breaks += countBreaks(value, 0, value.length);
        fields.push(value);
        if (i >= len) return this.quotedSuccess(breaks, len);
        const c = buf.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === LF) return this.quotedSuccess(breaks, i + 1);
        if (c === CR) {
          if (i + 1 < len && buf.charCodeAt(i + 1) === LF) return this.quotedSuccess(breaks, i + 2);
          if (i + 1 >= len) {
            if (!final) return -1;
            return this.quotedSuccess(breaks, len);
          }
        }
        return this.skipLine(buf, i, final, line, CSV_PROBLEMS.textAfterQuote, breaks);
      }

      // An unquoted field in a record that has a quote somewhere.
      const lf = buf.indexOf('\n', i);
      if (lf === -1 && !final) return -1;
      const lineEnd = lf === -1 ? len : lf;
      const comma = buf.indexOf(',', i);
      const stop = comma !== -1 && comma < lineEnd ? comma : lineEnd;
      let valueEnd = stop;
      if (stop === lineEnd && valueEnd > i && buf.charCodeAt(valueEnd - 1) === CR) valueEnd--;
      const quoteAt = buf.indexOf('"', i);
      if (quoteAt !== -1 && quoteAt < valueEnd) {
        return this.skipLine(buf, i, final, line, CSV_PROBLEMS.quoteInField, breaks);
      }
      fields.push(buf.slice(i, valueEnd));
      if (stop === comma && comma < lineEnd) {
        i = comma + 1;
        continue;
      }
      return this.quotedSuccess(breaks, lf === -1 ? len : lf + 1);
    }
  }

  private quotedSuccess(breaks: number, next: number): number {
    this.quotedOk = true;
    this.quotedBreaks = breaks;
    return next;
  }

  private quotedFailure(line: number, message: string, breaks: number, next: number): number {
    this.problem(line, message);
    this.quotedOk = false;
    this.quotedBreaks = breaks;
    return next;
  }

  /** Reports a broken record and resumes after the line break that follows the problem. */
  private skipLine(buf: string, from: number, final: boolean, line: number, message: string, breaks: number): number {
    const lf = buf.indexOf('\n', from);
    if (lf === -1 && !final) return -1;
    return this.quotedFailure(line, message, breaks, lf === -1 ? buf.length : lf + 1);
  }

  private emit(line: number): void {
    this.current.line = line;
    if (this.visitor.record(this.current) === false) this.halted = true;
  }

  private problem(line: number, message: string): void {
    if (this.visitor.problem(line, message) === false) this.halted = true;
  }
}

function countBreaks(text: string, from: number, to: number): number {
  let n = 0;
  let at = text.indexOf('\n', from);
  while (at !== -1 && at < to) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return n;
}

/** Parses CSV held in memory (tests, small inputs). */
export function parseCsvText(text: string, visitor: CsvVisitor): void {
  const parser = new CsvParser(visitor);
  parser.write(text);
  parser.end();
}

export interface ReadCsvOptions {
  /** Bytes read per step; 1 MiB keeps system calls rare and memory flat. */
  chunkBytes?: number;
  /**
   * Runs after each chunk has been parsed, before the next is read: the place to flush a batch of
   * collected rows to the store (awaited, so writing paces reading) and to report progress.
   */
  afterChunk?: (bytesRead: number) => Promise<void> | void;
  /** Read no further than this many bytes (a second pass reads exactly what the first one saw). */
  maxBytes?: number;
}

/**
 * Streams a UTF-8 CSV file through the visitor. Resolves when the file is read or the visitor
 * stopped; I/O errors reject.
 */
export async function readCsvFile(path: string, visitor: CsvVisitor, options: ReadCsvOptions = {}): Promise<void> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    const parser = new CsvParser(visitor);
    const limit = options.maxBytes ?? Infinity;
    let total = 0;
    for (;;) {
      const want = Math.min(chunkBytes, limit - total);
      if (want <= 0) break;
      const { bytesRead } = await handle.read(buffer, 0, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      parser.write(decoder.write(bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead)));
      if (parser.stopped) return;
      if (options.afterChunk) await options.afterChunk(total);
    }
    parser.write(decoder.end());
    parser.end();
    if (options.afterChunk && !parser.stopped) await options.afterChunk(total);
  } finally {
    await handle.close();
  }
}
