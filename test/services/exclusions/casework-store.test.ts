import assert from 'node:assert/strict';
import { drainPendingPupils } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import type { PupilAlert } from '../../../services/exclusions/alert-types';
import { createApiSender, receiveExclusion } from '../../../services/exclusions/exclusion-intake';
import { FIXTURE_SCHOOLS, type FixtureCounty, insertFixtureCounty, insertStaffUser } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { importFile, importOk, scratch, snapshot } from '../importers/import-kit';

/** Issue 9 through the store: casework columns in the file and the API, outcomes closing alerts. */

const HEADER = 'school_urn,upn,category,start_date,sessions,reasons,notified_date';
const CASE_HEADER = `${HEADER},decision_date,exam_date,start_session,outcome,outcome_date,outcome_by`;
const SCHOOL = FIXTURE_SCHOOLS.bostonSecondary.urn;
const upn = (serial: number) => makeUpn(925, 4001, 15, serial);
const NOW = '2026-11-25T10:00:00.000Z';
const clock = fixedClock(NOW);
const calendar = loadCalendar();

describe('exclusion casework in the store (issue 9)', () => {
  const files = scratch();
  after(() => files.cleanup());

  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
    });

    it("reg 24(1)(b)(i): the LA manager receives the third suspension's own 15-school-day deadline when the term is already over 15", async () => {
      const store = getStore();
      const manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
      // 14 Sep, 8 days (14-18, 21-23 Sep); 5 Oct, 8 days (5-9, 12-14 Oct): 16, over 15; 23 Nov, 2 days: 18.
      await importOk(
        store,
        'exclusions',
        files.csv([
          HEADER,
          `${SCHOOL},${upn(4)},SUSP,2026-09-14,16,PA,2026-09-14`,
          `${SCHOOL},${upn(4)},SUSP,2026-10-05,16,PA,2026-10-05`,
          `${SCHOOL},${upn(4)},SUSP,2026-11-23,4,PA,2026-11-23`,
        ]),
      );
      await drainPendingPupils({ db: store.db, calendar, clock });
      // The duties the LA manager's case cards list (cards are sent after first contact: services/alerts).
      const delivered = await store.db
        .selectFrom('exclusion_alert')
        .select(['payload', 'due_date'])
        .where('rule', '=', 'term_total_over_15')
        .orderBy('due_date')
        .execute();
      const alerts = delivered.map((d) => JSON.parse(d.payload) as PupilAlert);
      // 15 school days from Mon 5 Oct: 6-9 (4), 12-23 Oct (14), half term, Mon 2 Nov (15).
      // 15 school days from Mon 23 Nov: 24-27 (4), 30 Nov-4 Dec (9), 7-11 (14), Mon 14 Dec (15).
      assert.deepEqual(
        alerts.map((a) => [a.eventDate, a.facts.termTotalDays, a.dueDate]),
        [
          ['2026-10-05', 16, '2026-11-02'],
          ['2026-11-23', 18, '2026-12-14'],
        ],
      );
      assert.ok(manager.id > 0);
      assert.equal(delivered[1]!.due_date, '2026-12-14');
    });

    it('stores the casework columns from the file, and a file without them keeps what is stored', async () => {
      const store = getStore();
      await importOk(
        store,
        'exclusions',
        files.csv([CASE_HEADER, `${SCHOOL},${upn(1)},SUSP,2026-11-23,7,PA,2026-11-24,20/11/2026,2026-11-26,pm,,,`]),
      );
      const row = await store.db.selectFrom('exclusion').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([row.decision_date, row.exam_date, row.start_session, row.outcome], ['2026-11-20', '2026-11-26', 'PM', null]);
      const again = await importOk(store, 'exclusions', files.csv([HEADER, `${SCHOOL},${upn(1)},SUSP,2026-11-23,7,PA,2026-11-24`]));
      assert.equal(again.counts.unchanged, 1);
      const kept = await store.db.selectFrom('exclusion').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([kept.decision_date, kept.exam_date, kept.start_session], ['2026-11-20', '2026-11-26', 'PM']);
    });

    it('refuses bad casework values naming file, line and column, and writes nothing', async () => {
      const store = getStore();
      const before = await snapshot(store);
      const result = await importFile(
        store,
        'exclusions',
        files.csv([
          CASE_HEADER,
          `${SCHOOL},${upn(1)},SUSP,2026-11-23,4,PA,2026-11-23,2026-11-24,,,,,`,
          `${SCHOOL},${upn(2)},SUSP,2026-11-23,4,PA,2026-11-23,,2026-11-20,,,,`,
          `${SCHOOL},${upn(3)},LUNC,2026-11-23,1,PA,2026-11-23,,,PM,,,`,
          `${SCHOOL},${upn(4)},SUSP,2026-11-23,4,PA,2026-11-23,,,noon,,,`,
          `${SCHOOL},${upn(4)},SUSP,2026-11-16,4,PA,2026-11-16,,,,reinstated,2026-11-18,`,
          `${SCHOOL},${upn(4)},SUSP,2026-11-09,4,PA,2026-11-09,,,,withdrawn,,`,
          `${SCHOOL},${upn(4)},SUSP,2026-11-02,4,PA,2026-11-02,,,,cancelled,2026-11-01,governors`,
          `${SCHOOL},${upn(4)},SUSP,2026-10-19,4,PA,2026-10-19,,,,expelled,2026-10-20,head`,
        ]),
      );
      assert.equal(result.ok, false);
      const errors = result.ok ? [] : result.errors.join('\n');
      assert.match(errors as string, /:2: decision_date: is after start_date/);
      assert.match(errors as string, /:3: exam_date: is before start_date/);
      assert.match(errors as string, /:4: start_session: must be empty for a lunchtime suspension/);
      assert.match(errors as string, /:5: start_session: "NOON" is not AM or PM/);
      assert.match(errors as string, /:6: outcome_by: is required for a reinstatement/);
      assert.match(errors as string, /:7: outcome_date: is required with an outcome/);
      assert.match(errors as string, /:8: outcome_by: only the head can record "cancelled"/);
      assert.match(errors as string, /:9: outcome: "expelled" is not withdrawn, cancelled, reinstated/);
      assert.deepEqual(await snapshot(store), before);
    });

    it('an outcome in the file closes the exclusion’s open alerts, is audited with pupil ids only, and stops new ones', async () => {
      const store = getStore();
      const pupilId = county.pupils.noFlags;
      await importOk(store, 'exclusions', files.csv([HEADER, `${SCHOOL},${upn(4)},PERM,2026-11-23,,PA,2026-11-23`]));
      await drainPendingPupils({ db: store.db, calendar, clock });
      const open = await store.db.selectFrom('exclusion_alert').select(['rule', 'status']).where('pupil_id', '=', pupilId).execute();
      assert.ok(open.length >= 3 && open.every((a) => a.status === 'open'));

      await importOk(store, 'exclusions', files.csv([CASE_HEADER, `${SCHOOL},${upn(4)},PERM,2026-11-23,,PA,2026-11-23,,,,withdrawn,2026-11-25,head`]));
      const after = await store.db.selectFrom('exclusion_alert').select(['status', 'version']).where('pupil_id', '=', pupilId).execute();
      assert.ok(after.every((a) => a.status === 'acknowledged' && a.version === 2), 'every open alert of the exclusion closed');
      const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'exclusion.outcome').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.subject_ids, String(pupilId));
      assert.equal(audit[0]!.command, 'import');

      const rerun = await drainPendingPupils({ db: store.db, calendar, clock });
      assert.equal(rerun.newAlerts, 0, 'no duty raised again for a withdrawn exclusion');
      const count = (await store.db.selectFrom('exclusion_alert').select('id').execute()).length;
      assert.equal(count, after.length);
    });

    it('accepts the casework fields on POST /api/exclusions and names a bad one', async () => {
      const store = getStore();
      await createApiSender(store.db, 'form', 'county', clock);
      const sender = await store.db.selectFrom('api_sender').selectAll().executeTakeFirstOrThrow();
      const body = { school_urn: SCHOOL, upn: upn(1), category: 'SUSP', start_date: '2026-11-23', sessions: 4, reasons: 'PA', decision_date: '2026-11-20', exam_date: '2026-11-24', start_session: 'AM' };
      const ok = await receiveExclusion(store.db, clock, { sender, idempotencyKey: 'casework-1', body });
      assert.equal(ok.result.status, 201);
      const row = await store.db.selectFrom('exclusion').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([row.decision_date, row.exam_date, row.start_session], ['2026-11-20', '2026-11-24', 'AM']);
      const bad = await receiveExclusion(store.db, clock, { sender, idempotencyKey: 'casework-2', body: { ...body, start_date: '2026-11-16', start_session: 'evening' } });
      assert.equal(bad.result.status, 400);
      const errors = (bad.result.body as { errors: { field: string; message: string }[] }).errors;
      assert.deepEqual(
        errors.map((e) => e.field),
        ['decision_date', 'start_session'],
        'decided 20 Nov for a suspension from 16 Nov, and a session that is not AM or PM',
      );
      assert.match(errors[1]!.message, /"EVENING" is not AM or PM/);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 1, 'nothing written');
    });
  });
});
