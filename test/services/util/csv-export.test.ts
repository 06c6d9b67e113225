import assert from 'node:assert/strict';
import { parseCsvText } from '../../../services/importers/csv-reader';
import { csvCell, csvDocument, csvRow } from '../../../services/util/csv-export';

function readBack(text: string): string[][] {
  const rows: string[][] = [];
  parseCsvText(text, {
    record: (r) => void rows.push([...r.fields]),
    problem: (line, message) => assert.fail(`line ${line}: ${message}`),
  });
  return rows;
}

describe('CSV export cells', () => {
  it('neutralises text a spreadsheet would run as a formula', () => {
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('+44 1522'), "'+44 1522");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell('\r=1'), `"'\r=1"`);
    assert.equal(csvCell('Anne-Marie'), 'Anne-Marie', 'a hyphen inside a name is left alone');
  });

  it('quotes commas, quotes, line breaks and surrounding spaces, and leaves plain text and numbers bare', () => {
    assert.equal(csvCell('O\'Neill, Smith'), `"O'Neill, Smith"`);
    assert.equal(csvCell('say "hi"'), `"say ""hi"""`);
    assert.equal(csvCell('two\nlines'), `"two\nlines"`);
    assert.equal(csvCell(' padded'), `" padded"`);
    assert.equal(csvCell('Boston'), 'Boston');
    assert.equal(csvCell(-3), '-3');
    assert.equal(csvCell(2.5), '2.5');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(true), 'true');
    assert.equal(csvCell(new Date('2026-11-25T10:00:00Z')), '2026-11-25T10:00:00.000Z');
  });

  it('writes rows that read back as the same cells, one per value', () => {
    const values = ['=cmd|\' /C calc\'!A0', 'a,b', 'line\r\nbreak', 'q"uote', '', 'plain'];
    const text = csvDocument([['name', 'note', 'x', 'y', 'z', 'w'], values]);
    assert.ok(text.startsWith('\ufeff'));
    assert.ok(text.endsWith('\r\n'));
    const rows = readBack(text);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1], ["'=cmd|' /C calc'!A0", 'a,b', 'line\r\nbreak', 'q"uote', '', 'plain']);
    assert.equal(csvRow(['a', 1, null]), 'a,1,');
  });
});
