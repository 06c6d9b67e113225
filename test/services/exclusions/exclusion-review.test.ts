import assert from 'node:assert/strict';
import { alertTimeline } from '../../../services/alerts/alert-actions';
import { drainPendingPupils } from '../../../services/alerts/alert-runner';
import { parseScope } from '../../../services/identity/scope';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import type { PupilAlert } from '../../../services/exclusions/alert-types';
import { createApiSender } from '../../../services/exclusions/exclusion-intake';
import { receiveReview } from '../../../services/exclusions/exclusion-review';
import type { Store } from '../../../services/store/open-store';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';

/** Issue 9 item 8 through the store and POST /api/exclusions/review: each step closes the one before and raises the next. */

const SCHOOL = FIXTURE_SCHOOLS.bostonSecondary.urn;
const upn = makeUpn(925, 4001, 15, 4);
const calendar = loadCalendar();

describe('governors’ decision and independent review (issue 9)', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
    });

    async function setUp(store: Store, clock = fixedClock('2026-11-16T10:00:00Z')) {
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: SCHOOL, category: 'PERM', reasons: 'PA', start_date: '2026-11-02', sessions: 0, notified_date: '2026-11-02', missed_public_exam: 0, source: 'test', created_at: '2026-11-02T09:00:00Z' })
        .execute();
      await createApiSender(store.db, 'form', 'county', clock);
      return store.db.selectFrom('api_sender').selectAll().executeTakeFirstOrThrow();
    }

    async function openAlerts(store: Store) {
      const rows = await store.db.selectFrom('exclusion_alert').select(['rule', 'payload', 'status']).where('status', '=', 'open').orderBy('id').execute();
      return rows.map((r) => [r.rule, (JSON.parse(r.payload) as PupilAlert).dueDate ?? null]);
    }

    it('walks a case from the governors upholding to the panel deadline, one dated alert per step', async () => {
      const store = getStore();
      const nov16 = fixedClock('2026-11-16T10:00:00Z');
      const sender = await setUp(store, nov16);
      await store.db.insertInto('alert_pending_pupil').values({ pupil_id: county.pupils.noFlags, queued_at: 'x', token: 't' }).execute();
      await drainPendingPupils({ db: store.db, calendar, clock: nov16 });
      assert.ok((await openAlerts(store)).some(([rule]) => rule === 'pex_governors_review'));

      const key = { school_urn: SCHOOL, upn, start_date: '2026-11-02' };
      const decided = await receiveReview(store.db, nov16, sender, { ...key, governors_decision: 'upheld', governors_meeting_date: '2026-11-13', governors_notified_date: '2026-11-16' });
      assert.equal(decided.result.status, 200);
      await drainPendingPupils({ db: store.db, calendar, clock: nov16 });
      let open = await openAlerts(store);
      assert.ok(!open.some(([rule]) => rule === 'pex_governors_review'), 'the governors have met: their alert closes');
      // From Mon 16 Nov: 17-20 (4), 23-27 (9), 30 Nov-4 Dec (14), Mon 7 Dec (15).
      assert.deepEqual(open.filter(([rule]) => rule === 'irp_application_window'), [['irp_application_window', '2026-12-07']]);

      const nov25 = fixedClock('2026-11-25T10:00:00Z');
      const applied = await receiveReview(store.db, nov25, sender, { ...key, irp_applied_date: '2026-11-25', irp_sen_expert: true });
      assert.equal(applied.result.status, 200);
      await drainPendingPupils({ db: store.db, calendar, clock: nov25 });
      open = await openAlerts(store);
      assert.ok(!open.some(([rule]) => rule === 'irp_application_window'));
      // From Wed 25 Nov: 26, 27 (2), 30 Nov-4 Dec (7), 7-11 (12), 14, 15, Wed 16 Dec (15).
      assert.deepEqual(open.filter(([rule]) => rule === 'irp_panel_deadline'), [['irp_panel_deadline', '2026-12-16']]);
      const audit = await store.db.selectFrom('audit_log').select(['action', 'subject_ids', 'command']).where('action', '=', 'exclusion.review').execute();
      assert.equal(audit.length, 2);
      assert.ok(audit.every((a) => a.subject_ids === String(county.pupils.noFlags) && a.command === 'api:form'));

      // The timeline card shows the case from the decision on.
      const user = await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: 'aad-m', email: 'm@example.org', name: 'm', role: 'la_manager', scope: 'county', created_at: 'x' })
        .returningAll()
        .executeTakeFirstOrThrow();
      const alertId = (await store.db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'irp_panel_deadline').executeTakeFirstOrThrow()).id;
      const timeline = await alertTimeline({ db: store.db, clock: nov25, calendar }, { user, role: user.role, scope: parseScope(user.scope), aadObjectId: user.aad_object_id, conversationType: 'personal' }, { alertId });
      assert.ok(timeline.ok);
      const lines = timeline.ok ? timeline.view.entries.map((e) => `${e.date} ${e.text}`) : [];
      for (const expected of ['2026-11-13 Governors met: exclusion upheld', '2026-11-16 Parents given notice', '2026-11-25 Independent review applied for (SEN expert requested)'])
        assert.ok(lines.some((l) => l.startsWith(expected)), `${expected} in ${lines.join(' | ')}`);
    });

    it('refuses steps out of order or for a suspension, naming the field, and records nothing', async () => {
      const store = getStore();
      const clock = fixedClock('2026-11-25T10:00:00Z');
      const sender = await setUp(store, clock);
      const key = { school_urn: SCHOOL, upn, start_date: '2026-11-02' };
      const early = await receiveReview(store.db, clock, sender, { ...key, irp_applied_date: '2026-11-20' });
      assert.equal(early.result.status, 400);
      assert.deepEqual((early.result.body as { errors: { field: string }[] }).errors.map((e) => e.field), ['irp_applied_date']);
      const backwards = await receiveReview(store.db, clock, sender, { ...key, governors_decision: 'upheld', governors_meeting_date: '2026-11-13', governors_notified_date: '2026-11-12' });
      assert.match(JSON.stringify(backwards.result.body), /governors_notified_date.*is before governors_meeting_date/);
      const missing = await receiveReview(store.db, clock, sender, { ...key, start_date: '2026-11-03', governors_decision: 'upheld', governors_meeting_date: '2026-11-13' });
      assert.equal(missing.result.status, 404);
      assert.equal((await store.db.selectFrom('exclusion_review').selectAll().execute()).length, 0);
    });

    it('a governors’ reinstatement records the outcome and closes every alert of the exclusion', async () => {
      const store = getStore();
      const clock = fixedClock('2026-11-16T10:00:00Z');
      const sender = await setUp(store, clock);
      await store.db.insertInto('alert_pending_pupil').values({ pupil_id: county.pupils.noFlags, queued_at: 'x', token: 't' }).execute();
      await drainPendingPupils({ db: store.db, calendar, clock });
      const result = await receiveReview(store.db, clock, sender, { school_urn: SCHOOL, upn, start_date: '2026-11-02', governors_decision: 'reinstated', governors_meeting_date: '2026-11-13', governors_notified_date: '2026-11-16' });
      assert.equal(result.result.status, 200);
      const row = await store.db.selectFrom('exclusion').select(['outcome', 'outcome_by', 'outcome_date']).executeTakeFirstOrThrow();
      assert.deepEqual(row, { outcome: 'reinstated', outcome_by: 'governors', outcome_date: '2026-11-16' });
      assert.deepEqual(await openAlerts(store), []);
      await drainPendingPupils({ db: store.db, calendar, clock });
      assert.deepEqual(await openAlerts(store), [], 'nothing raised again');
    });
  });
});
