import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_PROBLEMS, CsvParser, MAX_RECORD_CHARS, parseCsvText, readCsvFile, type CsvVisitor } from '../../../services/importers/csv-reader';

interface Collected {
  records: { line: number; fields: string[] }[];
  problems: { line: number; message: string }[];
}

function collector(): Collected & { visitor: CsvVisitor } {
  const out: Collected = { records: [], problems: [] };
  return {
    ...out,
    visitor: {
      record: (r) => void out.records.push({ line: r.line, fields: [...r.fields] }),
      problem: (line, message) => void out.problems.push({ line, message }),
    },
  };
}

function parse(text: string): Collected {
  const c = collector();
  parseCsvText(text, c.visitor);
  return { records: c.records, problems: c.problems };
}

/** Feeds the text in pieces of `size` characters: every result must match the one-piece parse. */
function parseInPieces(text: string, size: number): Collected {
  const c = collector();
  const parser = new CsvParser(c.visitor);
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  parser.end();
  return { records: c.records, problems: c.problems };
}

describe('csv reader', () => {
  it('gives each field as offsets into the text read, and makes its string only when asked', () => {
    const seen: { count: number; spans: string[]; fields: string[]; past: string }[] = [];
    parseCsvText('a,,ccc\r\n"q, 1","say ""hi""",z\n', {
      record(r) {
        const spans = [];
        for (let i = 0; i < r.count; i++) spans.push(r.text.slice(r.start(i), r.end(i)));
        seen.push({ count: r.count, spans, fields: [...r.fields], past: r.field(r.count) });
      },
      problem: () => undefined,
    });
    assert.deepEqual(seen, [
      { count: 3, spans: ['a', '', 'ccc'], fields: ['a', '', 'ccc'], past: '' },
      // A quoted record's values are unescaped first; the offsets point at those values.
      { count: 3, spans: ['q, 1', 'say "hi"', 'z'], fields: ['q, 1', 'say "hi"', 'z'], past: '' },
    ]);
  });

  it('splits plain records and numbers lines from 1', () => {
    const { records, problems } = parse('a,b,c\n1,2,3\n4,,6\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(records, [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
      { line: 3, fields: ['4', '', '6'] },
    ]);
  });

  it('reads CRLF line ends, a last line without a line end and a trailing empty field', () => {
    const { records } = parse('a,b\r\n1,\r\n2,x');
    assert.deepEqual(records, [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', ''] },
      { line: 3, fields: ['2', 'x'] },
    ]);
  });

  it('drops a UTF-8 byte-order mark before the first field', () => {
    const { records } = parse('\uFEFFupn,name\nx,y\n');
    assert.deepEqual(records[0]!.fields, ['upn', 'name']);
  });

  it('skips blank lines but keeps counting them', () => {
    const { records } = parse('a\n\n\r\nb\n\n');
    assert.deepEqual(records, [
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });

  it('unquotes fields, keeps commas, doubled quotes and line breaks inside quotes', () => {
    const { records, problems } = parse('name,note\r\n"Smith, Jo","said ""hi""\r\nthen left"\r\n"",plain\r\nlast,"x"\r\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(records, [
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Smith, Jo', 'said "hi"\r\nthen left'] },
      { line: 4, fields: ['', 'plain'] },
      { line: 5, fields: ['last', 'x'] },
    ]);
  });

  it('gives the same records whatever the text is split into', () => {
    const text = '\uFEFFa,b,c\r\n"1,1","2\n""2""",3\n\nplain,row,here\r\n"q",,"z"\nend,"\r\n",x';
    const whole = parse(text);
    assert.equal(whole.records.length, 5);
    for (const size of [1, 2, 3, 5, 7, 11, 64]) {
      assert.deepEqual(parseInPieces(text, size), whole, `pieces of ${size}`);
    }
  });

  it('reports an unclosed quote at the line where the record starts', () => {
    const { records, problems } = parse('a,b\n1,2\n3,"open\n4,5\n');
    assert.deepEqual(records.map((r) => r.line), [1, 2]);
    assert.deepEqual(problems, [{ line: 3, message: CSV_PROBLEMS.unclosedQuote }]);
  });

  it('reports text after a closing quote and a quote inside an unquoted field, then carries on', () => {
    const { records, problems } = parse('a,b\n"x"y,1\nO"Neil,2\nok,3\n');
    assert.deepEqual(problems, [
      { line: 2, message: CSV_PROBLEMS.textAfterQuote },
      { line: 3, message: CSV_PROBLEMS.quoteInField },
    ]);
    assert.deepEqual(records.map((r) => [r.line, r.fields]), [
      [1, ['a', 'b']],
      [4, ['ok', '3']],
    ]);
  });

  it('stops when the visitor returns false', () => {
    const seen: number[] = [];
    parseCsvText('a\nb\nc\nd\n', { record: (r) => (seen.push(r.line), r.line < 2), problem: () => undefined });
    assert.deepEqual(seen, [1, 2]);
  });

  it('stops with a problem instead of buffering a record longer than the limit', () => {
    const c = collector();
    const parser = new CsvParser(c.visitor);
    parser.write('a\n"');
    const piece = 'x'.repeat(64 * 1024);
    for (let written = 0; written <= MAX_RECORD_CHARS && !parser.stopped; written += piece.length) parser.write(piece);
    assert.equal(parser.stopped, true);
    assert.deepEqual(c.problems, [{ line: 2, message: CSV_PROBLEMS.tooLong }]);
  });

  describe('files', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'csv-reader-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('streams a file in small chunks, keeping multi-byte characters whole across chunk edges', async () => {
      const path = join(dir, 'names.csv');
      const rows = ['name,town'];
      for (let i = 0; i < 200; i++) rows.push(`Zoë ${i},"Łódź, ${i}"`);
      writeFileSync(path, '\uFEFF' + rows.join('\r\n') + '\r\n', 'utf8');
      const c = collector();
      const seenBytes: number[] = [];
      await readCsvFile(path, c.visitor, { chunkBytes: 7, afterChunk: (bytes) => void seenBytes.push(bytes) });
      assert.deepEqual(c.problems, []);
      assert.equal(c.records.length, 201);
      assert.deepEqual(c.records[200], { line: 201, fields: ['Zoë 199', 'Łódź, 199'] });
      assert.ok(seenBytes.length > 100, 'afterChunk runs after every chunk');
    });

    it('reports lines that are not UTF-8 (a spreadsheet saved as Windows-1252)', async () => {
      const path = join(dir, 'latin1.csv');
      writeFileSync(path, Buffer.concat([Buffer.from('name\nplain\n"Zo'), Buffer.from([0xeb]), Buffer.from('"\nZo'), Buffer.from([0xeb]), Buffer.from('\nlast\n')]));
      const c = collector();
      await readCsvFile(path, c.visitor);
      assert.deepEqual(c.records.map((r) => r.line), [1, 2, 5]);
      assert.deepEqual(c.problems, [
        { line: 3, message: CSV_PROBLEMS.notUtf8 },
        { line: 4, message: CSV_PROBLEMS.notUtf8 },
      ]);
    });
  });
});
