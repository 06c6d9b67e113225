import assert from 'node:assert/strict';
import { isIsoDate } from '../../../services/calendar/dates';
import { choice, date, flag, isCalendarDate, normaliseWord, RowView } from '../../../services/importers/fields';

function rowWith(values: Record<string, string>) {
  const columns = Object.keys(values);
  const problems: string[] = [];
  const row = new RowView(new Map(columns.map((c, i) => [c, i])), (line, column, problem) => problems.push(`${line}: ${column}: ${problem}`));
  row.reset(7, columns.map((c) => values[c]!));
  return { row, problems };
}

describe('import field parsers', () => {
  it('let hot importers read a row by position without making strings, with get() trimming as before', () => {
    const { row } = rowWith({ urn: '100001', upn: ' A123 ', date: '2026-11-02' });
    const upn = row.position('upn');
    assert.equal(row.position('missing'), -1);
    assert.equal(row.text.slice(row.start(upn), row.end(upn)), ' A123 ');
    assert.equal(row.get('upn'), 'A123');
    assert.equal(row.equals(row.position('urn'), '100001'), true);
    assert.equal(row.equals(row.position('urn'), '10000'), false);
    // equals compares the raw text: a padded field never matches its trimmed value.
    assert.equal(row.equals(upn, 'A123'), false);
    // A missing field reads as empty.
    assert.equal(row.start(9), row.end(9));
    assert.equal(row.equals(9, ''), true);
  });

  it('agree with the calendar module on which YYYY-MM-DD strings are real dates', () => {
    const candidates: string[] = ['2026-1-01', '2026-01-1', '20260101', '2026/01/01', 'abcd-ef-gh', '2026-00-10', '2026-13-01', '2026-01-00', ' 2026-01-01'];
    for (const year of ['1900', '2000', '2023', '2024', '2100']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) candidates.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
      }
    }
    for (const c of candidates) assert.equal(isCalendarDate(c), isIsoDate(c), c);
  });

  it('read ISO and UK dates, and say what is wrong without repeating the value', () => {
    assert.equal(date(rowWith({ d: '2014-10-03' }).row, 'd'), '2014-10-03');
    assert.equal(date(rowWith({ d: '3/10/2014' }).row, 'd'), '2014-10-03');
    const bad = rowWith({ d: '31/02/2014' });
    assert.equal(date(bad.row, 'd'), undefined);
    assert.deepEqual(bad.problems, ['7: d: is not a date (expected YYYY-MM-DD, or DD/MM/YYYY)']);
  });

  it('match keywords ignoring case, spaces and punctuation, and echo only when allowed', () => {
    assert.equal(normaliseWord(' All-through '), 'all_through');
    assert.equal(normaliseWord('16+'), '16_plus');
    const spellings = new Map([['all_through', 'all_through']]);
    assert.equal(choice(rowWith({ p: 'ALL THROUGH' }).row, 'p', spellings, { echo: true, expected: 'x' }), 'all_through');
    const shown = rowWith({ p: 'junior' });
    choice(shown.row, 'p', spellings, { echo: true, expected: 'all_through' });
    const hidden = rowWith({ p: 'junior' });
    choice(hidden.row, 'p', spellings, { echo: false, expected: 'all_through' });
    assert.deepEqual([...shown.problems, ...hidden.problems], ['7: p: "junior" is not all_through', '7: p: is not all_through']);
  });

  it('read yes/no flags in their accepted spellings', () => {
    for (const [text, value] of [['Y', 1], ['yes', 1], ['TRUE', 1], ['1', 1], ['n', 0], ['No', 0], ['false', 0], ['0', 0]] as const) {
      assert.equal(flag(rowWith({ f: text }).row, 'f'), value, text);
    }
    const bad = rowWith({ f: '2' });
    assert.equal(flag(bad.row, 'f'), undefined);
    assert.equal(bad.row.failed, true);
  });
});
