import assert from 'node:assert/strict';
import { alertCard } from '../../../cards/alert-card';
import { VERBS } from '../../../cards/verbs';
import { drainPendingPupils } from '../../../services/alerts/alert-runner';
import { alertViewFor } from '../../../services/alerts/alert-view';
import { recordGovernorsDecision, recordOutcome } from '../../../services/alerts/outcome-action';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { Store } from '../../../services/store/open-store';
import { actorOf, FIXTURE_SCHOOLS, type FixtureCounty, insertFixtureCounty, insertStaffUser } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';

/** Issue 9 item 7: recording an outcome on the alert card (LA roles) stops the exclusion's clocks. */

const NOW = '2026-11-25T10:00:00.000Z';
const clock = fixedClock(NOW);
const calendar = loadCalendar();
const SCHOOL = FIXTURE_SCHOOLS.bostonSecondary.urn;

describe('record outcome from the alert card (issue 9)', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    beforeEach(async () => {
      county = await insertFixtureCounty(getStore());
    });

    async function suspensionWithAlerts(store: Store) {
      // 6 days from Mon 16 Nov: day 6 is Mon 23 Nov (a school duty with a date).
      const x = await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: SCHOOL, category: 'SUSP', reasons: 'PA', start_date: '2026-11-16', sessions: 12, notified_date: '2026-11-16', missed_public_exam: 0, source: 'test', created_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      await store.db.insertInto('alert_pending_pupil').values({ pupil_id: county.pupils.noFlags, queued_at: NOW, token: 't' }).execute();
      await drainPendingPupils({ db: store.db, calendar, clock });
      const alert = await store.db.selectFrom('exclusion_alert').select(['id', 'rule', 'status']).where('exclusion_id', '=', x.id).executeTakeFirstOrThrow();
      return { exclusionId: x.id, alertId: alert.id };
    }

    it('offers the action to LA roles, closes the alerts, audits, and the rules raise nothing again', async () => {
      const store = getStore();
      const manager = actorOf(await insertStaffUser(store, 'manager', 'la_manager', 'county'));
      const { exclusionId, alertId } = await suspensionWithAlerts(store);
      const ctx = { db: store.db, clock, calendar };
      const view = await alertViewFor(ctx, manager, alertId, 'test');
      assert.ok(view.ok);
      assert.match(JSON.stringify(alertCard(view.view)), new RegExp(VERBS.alertOutcome.replace('.', '\\.')));

      const result = await recordOutcome(ctx, manager, { alertId, outcome: 'reinstated', outcomeBy: 'governors', outcomeDate: '2026-11-19' });
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(result.ok && result.view.kind === 'pupil' && result.view.canRecordOutcome, false, 'no second outcome offered');
      const row = await store.db.selectFrom('exclusion').select(['outcome', 'outcome_by', 'outcome_date']).where('id', '=', exclusionId).executeTakeFirstOrThrow();
      assert.deepEqual(row, { outcome: 'reinstated', outcome_by: 'governors', outcome_date: '2026-11-19' });
      const alerts = await store.db.selectFrom('exclusion_alert').select(['status', 'acknowledged_by']).where('exclusion_id', '=', exclusionId).execute();
      assert.ok(alerts.every((a) => a.status === 'acknowledged' && a.acknowledged_by === manager.user.id));
      const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'exclusion.outcome').execute();
      assert.deepEqual(audit.map((a) => [a.staff_user_id, a.subject_ids, a.command]), [[manager.user.id, String(county.pupils.noFlags), 'alert outcome']]);
      const rerun = await drainPendingPupils({ db: store.db, calendar, clock });
      assert.equal(rerun.evaluatedPupils, 1, 'the pupil was queued again');
      assert.equal(rerun.newAlerts, 0);
    });

    it('refuses school roles and a bad date, changing nothing', async () => {
      const store = getStore();
      const leader = actorOf(await insertStaffUser(store, 'leader', 'school_leader', `school:${SCHOOL}`));
      const manager = actorOf(await insertStaffUser(store, 'manager', 'la_manager', 'county'));
      const { exclusionId, alertId } = await suspensionWithAlerts(store);
      const ctx = { db: store.db, clock, calendar };
      const refused = await recordOutcome(ctx, leader, { alertId, outcome: 'withdrawn', outcomeDate: '2026-11-17' });
      assert.deepEqual(refused, { ok: false, message: 'Outcomes are recorded by the local authority.' });
      const future = await recordOutcome(ctx, manager, { alertId, outcome: 'withdrawn', outcomeDate: '2026-12-01' });
      assert.equal(future.ok, false);
      assert.match(future.ok ? '' : future.message, /outcome date is after today/);
      const row = await store.db.selectFrom('exclusion').select('outcome').where('id', '=', exclusionId).executeTakeFirstOrThrow();
      assert.equal(row.outcome, null);
      assert.ok((await store.db.selectFrom('exclusion_alert').select('status').execute()).every((a) => a.status === 'open'));
    });

    it("records the governors' decision from a board-duty card: the review alert closes and the review window opens", async () => {
      const store = getStore();
      const manager = actorOf(await insertStaffUser(store, 'manager', 'la_manager', 'county'));
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: SCHOOL, category: 'PERM', reasons: 'PA', start_date: '2026-11-02', sessions: 0, notified_date: '2026-11-02', missed_public_exam: 0, source: 'test', created_at: NOW })
        .execute();
      await store.db.insertInto('alert_pending_pupil').values({ pupil_id: county.pupils.noFlags, queued_at: NOW, token: 't' }).execute();
      await drainPendingPupils({ db: store.db, calendar, clock });
      const review = await store.db.selectFrom('exclusion_alert').select('id').where('rule', '=', 'pex_governors_review').executeTakeFirstOrThrow();
      const ctx = { db: store.db, clock, calendar };
      const view = await alertViewFor(ctx, manager, review.id, 'test');
      assert.ok(view.ok);
      assert.ok(JSON.stringify(alertCard(view.view)).includes(VERBS.alertGovernorsDecision));
      const result = await recordGovernorsDecision(ctx, manager, { alertId: review.id, decision: 'upheld', meetingDate: '2026-11-13', notifiedDate: '2026-11-16' });
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal((await store.db.selectFrom('exclusion_alert').select('status').where('id', '=', review.id).executeTakeFirstOrThrow()).status, 'acknowledged');
      await drainPendingPupils({ db: store.db, calendar, clock });
      const window = await store.db.selectFrom('exclusion_alert').select(['due_date', 'status']).where('rule', '=', 'irp_application_window').executeTakeFirstOrThrow();
      // 15 school days from Mon 16 Nov: 17-20 (4), 23-27 (9), 30 Nov-4 Dec (14), Mon 7 Dec (15).
      assert.deepEqual(window, { due_date: '2026-12-07', status: 'open' });
    });
  });
});
