import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CalendarError, DEFAULT_CALENDAR_FILE, calendarFromData, loadCalendar, type SchoolCalendar } from '../../../services/calendar/school-calendar';

/** A small hand-made calendar so expectations can be checked by eye. */
function tinyCalendar() {
  return {
    terms: [
      { academicYear: '2026/27', name: 'autumn', start: '2026-09-01', end: '2026-12-18' },
      { academicYear: '2026/27', name: 'spring', start: '2027-01-04', end: '2027-03-25' },
      { academicYear: '2026/27', name: 'summer', start: '2027-04-12', end: '2027-07-22' },
    ],
    holidays: [{ name: 'Autumn half term', start: '2026-10-26', end: '2026-10-30' }],
    bankHolidays: [
      { date: '2026-12-25', name: 'Christmas Day' },
      { date: '2027-05-03', name: 'Early May bank holiday' },
    ],
    insetDays: ['2026-09-01', '2026-09-02', '2027-01-04'],
    schoolClosures: [{ urn: 120001, date: '2026-11-27', reason: 'Boiler' }],
  };
}

function withChange(change: (data: ReturnType<typeof tinyCalendar>) => void) {
  const data = tinyCalendar();
  change(data);
  return data;
}

describe('school calendar', () => {
  describe('the shipped sample (default file)', () => {
    let cal: SchoolCalendar;
    before(() => {
      cal = loadCalendar();
    });

    it('covers academic years 2025/26 and 2026/27', () => {
      assert.equal(cal.firstDay(), '2025-09-01');
      assert.equal(cal.lastDay(), '2027-08-31');
      assert.equal(DEFAULT_CALENDAR_FILE, 'data/calendar/lincolnshire-sample.json');
    });

    it('treats INSET days at the start of a term as non-school days', () => {
      assert.equal(cal.isSchoolDay('2026-09-01'), false);
      assert.equal(cal.isSchoolDay('2026-09-02'), false);
      assert.equal(cal.isSchoolDay('2026-09-03'), true);
      assert.equal(cal.termOf('2026-09-01')?.name, 'autumn');
    });

    it('knows term boundaries: last day of autumn term is a school day, the next weekday is not', () => {
      assert.equal(cal.isSchoolDay('2026-12-18'), true);
      assert.equal(cal.isSchoolDay('2026-12-21'), false);
      assert.equal(cal.termOf('2026-12-18')?.name, 'autumn');
      assert.equal(cal.termOf('2026-12-21'), null);
    });

    it('closes for Christmas and New Year', () => {
      for (const d of ['2026-12-24', '2026-12-25', '2026-12-28', '2026-12-31', '2027-01-01']) assert.equal(cal.isSchoolDay(d), false, d);
      assert.equal(cal.isSchoolDay('2027-01-04'), false, 'INSET day');
      assert.equal(cal.isSchoolDay('2027-01-05'), true);
    });

    it('closes for half term, which still belongs to the term', () => {
      for (const d of ['2026-10-26', '2026-10-28', '2026-10-30']) assert.equal(cal.isSchoolDay(d), false, d);
      assert.equal(cal.isSchoolDay('2026-10-23'), true);
      assert.equal(cal.isSchoolDay('2026-11-02'), true);
      assert.deepEqual(cal.termOf('2026-10-28'), { academicYear: '2026/27', name: 'autumn', start: '2026-09-01', end: '2026-12-18' });
    });

    it('closes on bank holidays inside term and for Easter', () => {
      assert.equal(cal.isSchoolDay('2026-05-04'), false, 'early May bank holiday 2026');
      assert.equal(cal.isSchoolDay('2027-05-03'), false, 'early May bank holiday 2027');
      assert.equal(cal.isSchoolDay('2026-04-03'), false, 'Good Friday');
      assert.equal(cal.isSchoolDay('2026-04-06'), false, 'Easter Monday');
      assert.equal(cal.isSchoolDay('2026-05-05'), true);
    });

    it('never counts weekends', () => {
      assert.equal(cal.isSchoolDay('2026-11-28'), false);
      assert.equal(cal.isSchoolDay('2026-11-29'), false);
      assert.ok(cal.schoolDays('2025-09-01', '2027-08-31').every((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())));
    });

    it('has a plausible number of school days per year (190 pupil days)', () => {
      assert.equal(cal.schoolDays('2025-09-01', '2026-08-31').length, 190);
      assert.equal(cal.schoolDaysBetween('2026-08-31', '2027-08-31'), 190);
    });

    it('applies per-school closures only to that school', () => {
      assert.equal(cal.isSchoolDay('2026-11-27'), true);
      assert.equal(cal.isSchoolDay('2026-11-27', 120001), false);
      assert.equal(cal.isSchoolDay('2026-11-27', 120002), true);
      assert.equal(cal.addSchoolDays('2026-11-26', 1), '2026-11-27');
      assert.equal(cal.addSchoolDays('2026-11-26', 1, 120001), '2026-12-01', 'Fri 27 and Mon 30 closed at 120001');
      assert.equal(cal.schoolDaysBetween('2026-11-25', '2026-12-01'), 4);
      assert.equal(cal.schoolDaysBetween('2026-11-25', '2026-12-01', 120001), 2);
      assert.deepEqual(cal.schoolDays('2026-11-26', '2026-12-01', 120001), ['2026-11-26', '2026-12-01']);
    });

    it('adds school days across Christmas (the governors 15-day deadline)', () => {
      // Today 2026-11-25 (Wed). 15 school days on: 26,27,30 Nov, 1-4 Dec(4), 7-11(5), 14,15,16 -> 16 Dec.
      assert.equal(cal.addSchoolDays('2026-11-25', 15), '2026-12-16');
      // From 10 Dec: 11, 14-18 (5) = 6, then term ends; 5 Jan is the next school day (4 Jan INSET).
      assert.equal(cal.addSchoolDays('2026-12-10', 7), '2027-01-05');
      assert.equal(cal.addSchoolDays('2026-12-10', 8), '2027-01-06');
    });

    it('adds school days across half term and a weekend', () => {
      assert.equal(cal.addSchoolDays('2026-10-22', 1), '2026-10-23');
      assert.equal(cal.addSchoolDays('2026-10-22', 2), '2026-11-02');
      // Day 6 of a suspension starting Friday 23 Oct: 23,2,3,4,5 -> sixth is 6 Nov.
      assert.equal(cal.addSchoolDays('2026-10-23', 5), '2026-11-06');
    });

    it('counting from a non-school day starts at the next school day', () => {
      assert.equal(cal.addSchoolDays('2026-11-28', 1), '2026-11-30');
      assert.equal(cal.addSchoolDays('2026-12-25', 1), '2027-01-05');
    });

    it('counts school days between dates, exclusive of the start and inclusive of the end', () => {
      assert.equal(cal.schoolDaysBetween('2026-11-25', '2026-11-25'), 0);
      assert.equal(cal.schoolDaysBetween('2026-11-25', '2026-11-26'), 1);
      assert.equal(cal.schoolDaysBetween('2026-11-25', '2026-12-16'), 15);
      assert.equal(cal.schoolDaysBetween('2026-12-16', '2026-11-25'), -15, 'negative when overdue');
      assert.equal(cal.schoolDaysBetween('2026-12-18', '2027-01-04'), 0, 'holiday plus INSET');
    });

    it('lists school days inclusive at both ends', () => {
      assert.deepEqual(cal.schoolDays('2026-10-22', '2026-11-03'), ['2026-10-22', '2026-10-23', '2026-11-02', '2026-11-03']);
      assert.deepEqual(cal.schoolDays('2026-11-03', '2026-11-02'), []);
    });

    it('addSchoolDays and schoolDaysBetween agree', () => {
      for (const start of ['2025-09-01', '2025-12-18', '2026-02-13', '2026-07-20', '2026-11-25']) {
        for (const n of [1, 5, 15, 50]) assert.equal(cal.schoolDaysBetween(start, cal.addSchoolDays(start, n)), n, `${start}+${n}`);
      }
    });

    it('finds terms and academic years', () => {
      assert.equal(cal.termOf('2026-02-18')?.name, 'spring', 'spring half term 2026');
      assert.equal(cal.termOf('2026-02-18')?.academicYear, '2025/26');
      assert.equal(cal.termOf('2026-08-10'), null);
      assert.equal(cal.academicYearOf('2026-08-31'), '2025/26');
      assert.equal(cal.academicYearOf('2026-09-01'), '2026/27');
      assert.equal(cal.academicYearOf('2099-12-01'), '2099/00');
      assert.equal(cal.academicYearStart('2027-03-01'), '2026-09-01');
      assert.equal(cal.academicYearStart('2026-09-01'), '2026-09-01');
    });

    it('refuses to guess outside its range', () => {
      assert.throws(() => cal.isSchoolDay('2027-09-01'), (e: Error) => e instanceof CalendarError && /outside the school calendar data\/calendar\/lincolnshire-sample.json \(2025-09-01 to 2027-08-31\)/.test(e.message));
      assert.throws(() => cal.isSchoolDay('2025-08-29'), /outside the school calendar/);
      assert.throws(() => cal.termOf('2024-01-10'), /outside/);
      assert.throws(() => cal.schoolDaysBetween('2026-11-25', '2028-01-01'), /outside/);
      assert.throws(() => cal.addSchoolDays('2027-07-20', 5), /runs past the end of the school calendar/);
    });

    it('rejects bad arguments', () => {
      assert.throws(() => cal.addSchoolDays('2026-11-25', 0), /1 or more/);
      assert.throws(() => cal.addSchoolDays('2026-11-25', 1.5), /whole number/);
      assert.throws(() => cal.isSchoolDay('2026-02-30'), /not an ISO date/);
      assert.throws(() => cal.academicYearOf('25/11/2026'), /not an ISO date/);
    });
  });

  describe('from data', () => {
    it('builds the small calendar and counts its days', () => {
      const cal = calendarFromData(tinyCalendar(), 'tiny.json');
      assert.equal(cal.isSchoolDay('2026-09-02'), false);
      assert.equal(cal.isSchoolDay('2026-09-03'), true);
      assert.equal(cal.lastDay(), '2027-08-31');
      assert.equal(cal.firstDay(), '2026-09-01');
      assert.equal(cal.isSchoolDay('2026-11-27', 120001), false);
    });

    it('defaults the optional lists', () => {
      const cal = calendarFromData({ terms: [{ academicYear: '2026/27', name: 'autumn', start: '2026-09-01', end: '2026-12-18' }] }, 'min.json');
      assert.equal(cal.isSchoolDay('2026-09-01'), true);
      assert.equal(cal.addSchoolDays('2026-12-17', 1), '2026-12-18');
      assert.throws(() => cal.addSchoolDays('2026-12-17', 2), /runs past the end/);
    });

    const cases: [string, unknown, RegExp][] = [
      ['a term ending before it starts', withChange((d) => (d.terms[1]!.end = '2027-01-01')), /^x\.json: terms\[1\]\.end: must be on or after start/m],
      ['an impossible date', withChange((d) => (d.terms[0]!.start = '2026-09-31')), /^x\.json: terms\[0\]\.start: must be a real date written YYYY-MM-DD/m],
      ['a mislabelled academic year', withChange((d) => (d.terms[0]!.academicYear = '2025/26')), /terms\[0\]\.academicYear: is 2025\/26 but start 2026-09-01 falls in 2026\/27/],
      ['overlapping terms', withChange((d) => (d.terms[1]!.start = '2026-12-18')), /terms\[1\]\.start: must be after the previous term's end/],
      ['an unknown term name', withChange((d) => ((d.terms[0] as { name: string }).name = 'winter')), /terms\[0\]\.name: Invalid enum value/],
      ['a half term outside every term', withChange((d) => (d.holidays[0] = { name: 'x', start: '2026-12-21', end: '2026-12-23' })), /holidays\[0\]: must lie inside one term/],
      ['an INSET day in the holidays', withChange((d) => d.insetDays.push('2026-12-22')), /insetDays\[3\]: 2026-12-22 is not inside any term/],
      ['a closure with a bad URN', withChange((d) => (d.schoolClosures[0]!.urn = 42)), /schoolClosures\[0\]\.urn: must be a six-digit URN/],
      ['a typo in a key', { ...tinyCalendar(), holiday: [] }, /x\.json: \(top level\): Unrecognized key\(s\) in object: 'holiday'/],
      ['no terms', { terms: [] }, /terms: must list at least one term/],
      [
        'a missing academic year',
        withChange((d) => d.terms.push({ academicYear: '2028/29', name: 'autumn', start: '2028-09-04', end: '2028-12-15' })),
        /terms: academic year 2027\/28 is missing/,
      ],
      ['not an object', 'hello', /x\.json: \(top level\): Expected object/],
    ];
    for (const [name, data, pattern] of cases) {
      it(`rejects ${name}, naming file and JSON path`, () => {
        assert.throws(() => calendarFromData(data, 'x.json'), (e: Error) => e instanceof CalendarError && pattern.test(e.message));
      });
    }
  });

  describe('loadCalendar', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'calendar-'));

    it('loads another file given as an absolute path (CALENDAR_FILE)', () => {
      const file = path.join(dir, 'other.json');
      writeFileSync(file, JSON.stringify(tinyCalendar()));
      assert.equal(loadCalendar(file).firstDay(), '2026-09-01');
    });

    it('names the file, line and column of a JSON syntax error', () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{\n  "terms": [\n    { "academicYear": "2026/27", }\n  ]\n}\n');
      assert.throws(() => loadCalendar(file), (e: Error) => e.message.startsWith(`${file}: line 3, column `) && /not valid JSON/.test(e.message));
    });

    it('names the file in validation errors', () => {
      const file = path.join(dir, 'invalid.json');
      writeFileSync(file, JSON.stringify(withChange((d) => (d.terms[2]!.end = '2027-04-01'))));
      assert.throws(() => loadCalendar(file), (e: Error) => e.message === `${file}: terms[2].end: must be on or after start`);
    });

    it('says when the file cannot be read, relative paths resolving from the project root', () => {
      assert.throws(() => loadCalendar('data/calendar/missing.json'), (e: Error) => e.message === 'data/calendar/missing.json: cannot read the calendar file (ENOENT)');
    });
  });
});
