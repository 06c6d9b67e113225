import assert from 'node:assert/strict';
import { attendanceImporterOnRollFromFile } from '../../../services/attendance/attendance-importer';
import { runImport } from '../../../services/importers/importer';
import { forEachEngine } from '../../helpers/test-stores';
import { clockOn, fixture, importFile, importOk, PUPIL_HEADER, scratch, TODAY, UPNS } from './import-kit';

/**
 * Go-live (issue 8 item 16): an authority loads schools, then pupils, then the register since
 * September. Without entry dates a pupil is on roll from the import date, so earlier marks are
 * refused; the pupils file's entry_date and the attendance import's --on-roll-from-file fix that.
 */
const SCHOOL = 990002;
const OTHER = 990001;

function pupilRow(upn: string, schoolUrn: number, entryDate?: string): string {
  const values: Record<string, string> = {
    upn,
    school_urn: String(schoolUrn),
    legal_forename: 'Robin',
    legal_surname: 'Ashby',
    preferred_forename: '',
    date_of_birth: '2013-05-20',
    nc_year: '8',
    sex: 'M',
    ethnicity: 'WBRI',
    sen_provision: 'N',
    looked_after: 'N',
    social_worker: 'N',
    fsm: 'N',
    youth_justice: 'N',
  };
  const row = PUPIL_HEADER.split(',').map((c) => values[c]!);
  return entryDate === undefined ? row.join(',') : [...row, entryDate].join(',');
}

const WITH_ENTRY = `${PUPIL_HEADER},entry_date`;

describe('go-live: loading this year so far', () => {
  const files = scratch();
  after(() => files.cleanup());

  const register = (upn: string, urn = SCHOOL) =>
    files.csv(['school_urn,upn,date,am,pm', `${urn},${upn},2026-09-07,/,\\`, `${urn},${upn},2026-10-05,/,N`, `${urn},${upn},2026-11-23,/,\\`]);

  forEachEngine((getStore) => {
    const enrolments = async () =>
      getStore().db.selectFrom('enrolment').innerJoin('pupil', 'pupil.id', 'enrolment.pupil_id').select(['upn', 'school_urn', 'start_date', 'end_date']).orderBy('upn').orderBy('start_date').execute();

    beforeEach(async () => {
      await importOk(getStore(), 'schools', fixture('schools.csv'));
    });

    it('without entry dates, refuses every mark before the import date as "not on roll"', async () => {
      await importOk(getStore(), 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, SCHOOL)]));
      const result = await importFile(getStore(), 'attendance', register(UPNS[0]!));
      assert.equal(result.ok, false);
      assert.equal(result.errors.filter((e) => /not on roll/.test(e)).length, 3, result.errors.join('\n'));
    });

    it('starts the registration on the pupils file\'s entry_date, so the register since then imports', async () => {
      const result = await importOk(getStore(), 'pupils', files.csv([WITH_ENTRY, pupilRow(UPNS[0]!, SCHOOL, '2026-09-03'), pupilRow(UPNS[1]!, SCHOOL, '')]));
      assert.equal(result.counts.other['enrolments started'], 2);
      assert.deepEqual(
        (await enrolments()).map((e) => [e.upn, e.start_date]),
        [
          [UPNS[1], TODAY],
          [UPNS[0], '2026-09-03'],
        ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      );
      await importOk(getStore(), 'attendance', register(UPNS[0]!));
    });

    it('moves a registration loaded without an entry date back when the entry date arrives, and ends the old school the day before', async () => {
      await importOk(getStore(), 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, SCHOOL), pupilRow(UPNS[1]!, OTHER)]), { clock: clockOn('2026-09-01') });
      const again = await importOk(getStore(), 'pupils', files.csv([WITH_ENTRY, pupilRow(UPNS[0]!, SCHOOL, '2026-06-10'), pupilRow(UPNS[1]!, SCHOOL, '2026-10-01')]));
      assert.equal(again.counts.other['registrations moved back to the entry date'], 1);
      assert.deepEqual(
        (await enrolments()).map((e) => [e.upn, e.school_urn, e.start_date, e.end_date]),
        [
          [UPNS[0], SCHOOL, '2026-06-10', null],
          [UPNS[1], OTHER, '2026-09-01', '2026-09-30'],
          [UPNS[1], SCHOOL, '2026-10-01', null],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    });

    it('refuses an entry date in the future or before birth, naming the column, and changes nothing', async () => {
      const result = await importFile(getStore(), 'pupils', files.csv([WITH_ENTRY, pupilRow(UPNS[0]!, SCHOOL, '2026-12-01'), pupilRow(UPNS[1]!, SCHOOL, '2010-01-01'), pupilRow(UPNS[2]!, SCHOOL, 'soon')]));
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.errors.map((e) => e.replace(/^.*?:(\d+): entry_date: .*?(future|before the date of birth|not a date).*$/, '$1 $2')),
        ['2 future', '3 before the date of birth', '4 not a date'],
      );
      assert.deepEqual(await enrolments(), []);
    });

    it('--on-roll-from-file: takes pupils as on roll from their first mark in the file and moves the registration back', async () => {
      await importOk(getStore(), 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, SCHOOL)]));
      const result = await runImport(getStore(), attendanceImporterOnRollFromFile, register(UPNS[0]!), { clock: clockOn(TODAY) });
      assert.deepEqual(result.errors, []);
      assert.equal(result.counts.other['registrations moved back to the first mark'], 1);
      assert.deepEqual((await enrolments()).map((e) => e.start_date), ['2026-09-07']);
      const marks = await getStore().db.selectFrom('attendance_week').select('week_start').orderBy('week_start').execute();
      assert.deepEqual(marks.map((m) => m.week_start), ['2026-09-07', '2026-10-05', '2026-11-23']);
    });

    it('--on-roll-from-file still refuses marks while the pupil was on roll at another school', async () => {
      await importOk(getStore(), 'pupils', files.csv([PUPIL_HEADER, pupilRow(UPNS[0]!, OTHER)]), { clock: clockOn('2026-09-01') });
      await importOk(getStore(), 'pupils', files.csv([WITH_ENTRY, pupilRow(UPNS[0]!, SCHOOL, '2026-10-01')]));
      const result = await runImport(getStore(), attendanceImporterOnRollFromFile, register(UPNS[0]!), { clock: clockOn(TODAY) });
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.errors.map((e) => /2026-09-07.*on roll at another school/.test(e)),
        [true],
        result.errors.join('\n'),
      );
      assert.deepEqual((await enrolments()).map((e) => [e.school_urn, e.start_date]), [
        [OTHER, '2026-09-01'],
        [SCHOOL, '2026-10-01'],
      ]);
    });
  });
});
