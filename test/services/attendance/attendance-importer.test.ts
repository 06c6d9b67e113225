import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { createAttendanceImporter } from '../../../services/attendance/attendance-importer';
import { fixedClock } from '../../../services/clock';
import { runImport } from '../../../services/importers/importer';
import { forEachEngine } from '../../helpers/test-stores';
import { BOSTON_PRIMARY, BOSTON_SECONDARY, LINCOLN_SCHOOL, NOW, seedCounty, testCalendar, upnFor, type ClusterFixture } from '../cluster/cluster-fixture';

const clock = fixedClock(NOW);

// Small files are written from what the check pass kept; bigger ones (here: all) are read again.
const IMPORTERS = [
  { path: 'weeks kept by the check pass', importer: createAttendanceImporter(testCalendar) },
  { path: 'file read again for the write', importer: createAttendanceImporter(testCalendar, { keepWeeks: 0 }) },
];

describe('attendance importer', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'attendance-import-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function csv(name: string, lines: string[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  for (const { path: writePath, importer } of IMPORTERS) {
    describe(writePath, () => {
      forEachEngine((getStore) => {
        let fixture: ClusterFixture;
        beforeEach(async () => {
          fixture = await seedCounty(getStore().db, { staff: false });
        });

        async function weekRows() {
          return getStore().db.selectFrom('attendance_week').selectAll().orderBy('pupil_id').orderBy('week_start').execute();
        }

        it('merges a pupil\'s days into week rows and marks the pupil\'s summary stale', async () => {
          const upn = fixture.pupils.severe!.upn;
          const file = csv('week.csv', [
            'school_urn,upn,date,am,pm',
            `${BOSTON_SECONDARY},${upn},2026-11-02,/,\\`,
            `${BOSTON_SECONDARY},${upn},2026-11-03,N,N`,
            `${BOSTON_SECONDARY},${upn},2026-11-05,C2,L`,
            `${BOSTON_SECONDARY},${upn.toLowerCase()},2026-11-09,Y1,`,
          ]);
          const result = await runImport(getStore(), importer, file, { clock });
          assert.deepEqual(result.errors, []);
          assert.equal(result.ok, true);
          assert.equal(result.counts.inserted, 7);
          const rows = await weekRows();
          assert.deepEqual(
            rows.map((r) => [r.week_start, r.marks]),
            [
              ['2026-11-02', '/\\NN..pL..'],
              ['2026-11-09', '1.........'],
            ],
          );
          const stale = await getStore().db.selectFrom('attendance_summary_stale').selectAll().execute();
          assert.deepEqual(stale, [{ pupil_id: fixture.pupils.severe!.id, school_urn: BOSTON_SECONDARY }]);
          // Attendance alerts: only the school whose marks changed is queued for the rules.
          const queued = await getStore().db.selectFrom('attendance_alert_pending_school').select('school_urn').execute();
          assert.deepEqual(queued, [{ school_urn: BOSTON_SECONDARY }]);
        });

        it('is idempotent: importing the same file again changes nothing', async () => {
          const upn = fixture.pupils.good!.upn;
          const lines = ['school_urn,upn,date,am,pm', `${BOSTON_SECONDARY},${upn},2026-11-02,/,\\`, `${BOSTON_SECONDARY},${upn},2026-11-04,I,I`];
          const file = csv('again.csv', lines);
          await runImport(getStore(), importer, file, { clock });
          const first = await weekRows();
          await getStore().db.deleteFrom('attendance_summary_stale').execute();
          const second = await runImport(getStore(), importer, file, { clock });
          assert.equal(second.ok, true);
          assert.deepEqual([second.counts.inserted, second.counts.updated, second.counts.unchanged], [0, 0, 4]);
          assert.deepEqual(await weekRows(), first);
          // Nothing changed, so nothing needs re-summarising.
          assert.equal((await getStore().db.selectFrom('attendance_summary_stale').selectAll().execute()).length, 0);
          await getStore().db.deleteFrom('attendance_alert_pending_school').execute();
          await runImport(getStore(), importer, file, { clock });
          // ...nor re-evaluating for alerts.
          assert.equal((await getStore().db.selectFrom('attendance_alert_pending_school').selectAll().execute()).length, 0);
        });

        it('corrects single sessions and leaves an empty session as it was', async () => {
          const upn = fixture.pupils.good!.upn;
          await runImport(getStore(), importer, csv('first.csv', ['school_urn,upn,date,am,pm', `${BOSTON_SECONDARY},${upn},2026-11-02,N,N`]), { clock });
          const fix = await runImport(getStore(), importer, csv('fix.csv', ['school_urn,upn,date,am,pm', `${BOSTON_SECONDARY},${upn},2026-11-02,M,`]), { clock });
          assert.equal(fix.ok, true);
          assert.equal(fix.counts.updated, 1);
          assert.deepEqual((await weekRows()).map((r) => r.marks), ['MN........']);
        });

        it('rejects a broken file by line, changes nothing, and never echoes a UPN', async () => {
          const severe = fixture.pupils.severe!.upn;
          const lincoln = fixture.pupils.lincolnSevere!.upn;
          const badCheck = (severe[0] === 'A' ? 'B' : 'A') + severe.slice(1);
          const unknown = upnFor(99);
          const file = csv('broken.csv', [
            'school_urn,upn,date,am,pm',
            `${BOSTON_SECONDARY},${severe},2026-11-02,/,\\`, // 2: fine
            `${BOSTON_SECONDARY},${severe},2026-11-03,Q9,\\`, // 3: unknown code
            `${BOSTON_SECONDARY},${severe},2026-11-04,H,\\`, // 4: retired code
            `${BOSTON_SECONDARY},${badCheck},2026-11-04,/,\\`, // 5: bad UPN check letter
            `${BOSTON_SECONDARY},${unknown},2026-11-04,/,\\`, // 6: unknown pupil
            `999999,${severe},2026-11-04,/,\\`, // 7: unknown school
            `${BOSTON_PRIMARY},${severe},2026-11-04,/,\\`, // 8: not on roll at that school
            `${BOSTON_SECONDARY},${severe},2026-11-07,/,\\`, // 9: Saturday
            `${BOSTON_SECONDARY},${severe},2026-10-28,/,\\`, // 10: half term
            `${BOSTON_SECONDARY},${severe},2026-11-27,/,\\`, // 11: closure day at this school only
            `${BOSTON_SECONDARY},${severe},2026-11-02,O,O`, // 12: same pupil, school and date as line 2
            `${LINCOLN_SCHOOL},${lincoln},2026-11-02,,`, // 13: no marks
            `${BOSTON_SECONDARY},${severe},2026-13-01,/,\\`, // 14: not a date
          ]);
          const result = await runImport(getStore(), importer, file, { clock });
          assert.equal(result.ok, false);
          const byLine = new Map<number, string>();
          for (const e of result.errors) {
            const m = /:(\d+): (.*)$/.exec(e);
            if (m) byLine.set(Number(m[1]), (byLine.get(Number(m[1])) ?? '') + m[2]);
          }
          assert.match(byLine.get(3)!, /^am: "Q9" is not a DfE 2024 register code/);
          assert.match(byLine.get(4)!, /^am: H \(agreed holiday\) was withdrawn in 2024/);
          assert.match(byLine.get(5)!, /^upn: is not a valid UPN \(the check letter does not match\)/);
          assert.match(byLine.get(6)!, /^upn: no pupil with this UPN is known/);
          assert.match(byLine.get(7)!, /^school_urn: school 999999 is not known/);
          assert.match(byLine.get(8)!, new RegExp(`^upn: the pupil is not on roll at school ${BOSTON_PRIMARY} on 2026-11-04`));
          assert.match(byLine.get(9)!, /^date: 2026-11-07 is a Saturday, not a school day/);
          assert.match(byLine.get(10)!, /^date: 2026-10-28 is not a school day/);
          assert.match(byLine.get(11)!, new RegExp(`^date: 2026-11-27 is a closure day for school ${BOSTON_SECONDARY}`));
          assert.match(byLine.get(12)!, /^date: this pupil, school and date are already on line 2/);
          assert.match(byLine.get(13)!, /^am: am and pm are both empty/);
          assert.match(byLine.get(14)!, /^date: is not a date/);
          assert.equal(byLine.has(2), false);
          for (const upn of [severe, badCheck, unknown, lincoln]) assert.ok(!result.errors.join('\n').includes(upn), 'a UPN was echoed');
          assert.deepEqual(await weekRows(), []);
          assert.equal((await getStore().db.selectFrom('attendance_summary_stale').selectAll().execute()).length, 0);
        });

        it('merges a file in any order: days of a week spread through the file', async () => {
          const a = fixture.pupils.severe!.upn;
          const b = fixture.pupils.good!.upn;
          const lines = ['school_urn,upn,date,am,pm'];
          for (const day of ['2026-11-02', '2026-11-09', '2026-11-03', '2026-11-10', '2026-11-06']) {
            lines.push(`${BOSTON_SECONDARY},${a},${day},O,O`, `${BOSTON_SECONDARY},${b},${day},/,\\`);
          }
          const result = await runImport(getStore(), importer, csv('unordered.csv', lines), { clock });
          assert.deepEqual(result.errors, []);
          assert.deepEqual([result.counts.inserted, result.counts.updated, result.counts.unchanged], [20, 0, 0]);
          const rows = await weekRows();
          const marks = (pupil: number, week: string) => rows.find((r) => r.pupil_id === pupil && r.week_start === week)?.marks;
          assert.equal(marks(fixture.pupils.severe!.id, '2026-11-02'), 'OOOO....OO');
          assert.equal(marks(fixture.pupils.good!.id, '2026-11-09'), '/\\/\\......');
          assert.equal(rows.length, 4);
        });

        it('imports a term for several pupils in many-row statements, then re-imports it as unchanged', async () => {
          const days = testCalendar().schoolDays('2026-09-03', '2026-11-20');
          // Six pupils x 11 weeks = 66 week rows: one 50-row statement and single-row ones for the rest.
          const pupils = ['severe', 'paSocial', 'paPlain', 'good', 'worsening', 'withAction'].map((k) => fixture.pupils[k]!);
          const lines = ['school_urn,upn,date,am,pm'];
          for (const p of pupils) for (const [i, day] of days.entries()) lines.push(`${p.school},${p.upn},${day},${i % 7 === 0 ? 'N' : '/'},${i % 5 === 0 ? 'I' : '\\'}`);
          const file = csv('term.csv', lines);
          const marks = pupils.length * days.length * 2;
          const first = await runImport(getStore(), importer, file, { clock });
          assert.deepEqual([first.ok, first.counts.inserted, first.counts.updated, first.counts.unchanged], [true, marks, 0, 0]);
          const weeks = await weekRows();
          assert.equal(weeks.length, pupils.length * 11); // 11 school weeks from 3 September to 20 November
          const again = await runImport(getStore(), importer, file, { clock });
          assert.deepEqual([again.counts.inserted, again.counts.updated, again.counts.unchanged], [0, 0, marks]);
          assert.equal(again.counts.other['week rows written'] ?? 0, 0);
          assert.deepEqual(await weekRows(), weeks);
          // A corrected export: the first pupil's mornings that were '/' are now 'L' (late before the register closed).
          await getStore().db.deleteFrom('attendance_summary_stale').execute();
          const corrected = lines.map((line) => (line.includes(pupils[0]!.upn) ? line.replace(/,\/,/, ',L,') : line));
          const fix = await runImport(getStore(), importer, csv('term-fixed.csv', corrected), { clock });
          const changed = corrected.filter((line, i) => line !== lines[i]).length;
          assert.ok(changed > 40);
          assert.deepEqual([fix.counts.inserted, fix.counts.updated, fix.counts.unchanged], [0, changed, marks - changed]);
          assert.equal(fix.counts.other['week rows written'], 11);
          assert.deepEqual(await getStore().db.selectFrom('attendance_summary_stale').select('pupil_id').execute(), [{ pupil_id: pupils[0]!.id }]);
        });

        it('keeps dual registrations apart: the same date at two schools is two rows', async () => {
          const upn = fixture.pupils.good!.upn;
          await getStore()
            .db.insertInto('enrolment')
            .values({ pupil_id: fixture.pupils.good!.id, school_urn: BOSTON_PRIMARY, start_date: '2026-09-01', end_date: null, registration: 'S' })
            .execute();
          const result = await runImport(
            getStore(),
            importer,
            csv('dual.csv', ['school_urn,upn,date,am,pm', `${BOSTON_SECONDARY},${upn},2026-11-02,D,D`, `${BOSTON_PRIMARY},${upn},2026-11-02,/,\\`]),
            { clock },
          );
          assert.deepEqual(result.errors, []);
          assert.deepEqual(
            (await weekRows()).map((r) => [r.school_urn, r.marks]),
            [
              [BOSTON_PRIMARY, '/\\........'],
              [BOSTON_SECONDARY, 'DD........'],
            ].sort((a, b) => Number(a[0]) - Number(b[0])),
          );
        });

        it('reads values with spaces around them, lower-case codes and UK dates like plain ones', async () => {
          const upn = fixture.pupils.good!.upn;
          const plain = [`${BOSTON_SECONDARY},${upn},2026-11-02,C2,Y1`, `${BOSTON_SECONDARY},${upn},2026-11-03,/,\\`, `${BOSTON_SECONDARY},${upn},2026-11-04,N,`];
          const messy = [` ${BOSTON_SECONDARY} ,${upn.toLowerCase()} , 02/11/2026 ,c2, y1 `, `${BOSTON_SECONDARY},${upn},3/11/2026, / ,\\`, `${BOSTON_SECONDARY}, ${upn},2026-11-04 ,n, `];
          const result = await runImport(getStore(), importer, csv('messy.csv', ['school_urn,upn,date,am,pm', ...messy]), { clock });
          assert.deepEqual(result.errors, []);
          const messyRows = await weekRows();
          await getStore().db.deleteFrom('attendance_week').execute();
          await runImport(getStore(), importer, csv('plain.csv', ['school_urn,upn,date,am,pm', ...plain]), { clock });
          assert.deepEqual(messyRows, await weekRows());
          assert.deepEqual(messyRows.map((r) => r.marks), ['p1/\\N.....']);
        });
      });
    });
  }
});

describe('attendance importer, a file bigger than it keeps', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'attendance-import-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  forEachEngine((getStore) => {
    it('stops keeping weeks at the limit and reads the file again, with the same result', async () => {
      const fixture = await seedCounty(getStore().db, { staff: false });
      const days = testCalendar().schoolDays('2026-09-03', '2026-11-20');
      const pupils = ['severe', 'good', 'worsening'].map((k) => fixture.pupils[k]!);
      const lines = ['school_urn,upn,date,am,pm'];
      for (const p of pupils) for (const [i, day] of days.entries()) lines.push(`${p.school},${p.upn},${day},${i % 6 === 0 ? 'O' : '/'},\\`);
      const file = path.join(dir, 'big.csv');
      writeFileSync(file, lines.join('\n') + '\n');
      const small = createAttendanceImporter(testCalendar, { keepWeeks: 5 });
      const streamed = sinon.spy(small, 'write');
      const result = await runImport(getStore(), small, file, { clock });
      assert.deepEqual(result.errors, []);
      assert.ok(streamed.called, 'the file was not read again');
      assert.deepEqual([result.counts.inserted, result.counts.other['week rows written']], [pupils.length * days.length * 2, pupils.length * 11]);
      const rows = await getStore().db.selectFrom('attendance_week').selectAll().orderBy('pupil_id').orderBy('week_start').execute();
      // The same file through an importer that keeps it all: nothing changes.
      const kept = createAttendanceImporter(testCalendar);
      const keptWrite = sinon.spy(kept, 'write');
      const again = await runImport(getStore(), kept, file, { clock });
      assert.equal(keptWrite.called, false);
      assert.deepEqual([again.counts.inserted, again.counts.updated, again.counts.unchanged], [0, 0, pupils.length * days.length * 2]);
      assert.deepEqual(await getStore().db.selectFrom('attendance_week').selectAll().orderBy('pupil_id').orderBy('week_start').execute(), rows);
    });
  });
});
