import assert from 'node:assert/strict';
import { alertTimeline } from '../../../services/alerts/alert-actions';
import { buildDigest } from '../../../services/alerts/alert-digest';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { alertViewFor } from '../../../services/alerts/alert-view';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import { createApiSender, receiveExclusion } from '../../../services/exclusions/exclusion-intake';
import { onRollForExclusion, ROLL_GRACE_DAYS } from '../../../services/exclusions/exclusion-roll';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { actorOf, FIXTURE_SCHOOLS, type FixtureCounty, insertFixtureCounty, insertPupil, insertStaffUser } from '../../helpers/fixtures';

const NOW = '2026-11-25T10:00:00.000Z';
const clock = fixedClock(NOW);
const calendar = loadCalendar();
const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const BOSTON_PRIMARY = FIXTURE_SCHOOLS.bostonPrimary.urn;
const LINCOLN = FIXTURE_SCHOOLS.lincolnSecondary.urn;

describe('the roll rule for exclusions', () => {
  const at = (school_urn: number, start_date: string, end_date: string | null = null) => ({ school_urn, start_date, end_date });

  it('accepts a pupil on roll on the start date, or who left at most 20 days before', () => {
    assert.equal(ROLL_GRACE_DAYS, 20);
    assert.equal(onRollForExclusion([at(BOSTON, '2026-09-03')], BOSTON, '2026-11-24'), true);
    assert.equal(onRollForExclusion([at(BOSTON, '2026-09-03', '2026-11-24')], BOSTON, '2026-11-24'), true);
    assert.equal(onRollForExclusion([at(BOSTON, '2026-09-03', '2026-11-04')], BOSTON, '2026-11-24'), true, 'left 20 days before');
    assert.equal(onRollForExclusion([at(BOSTON, '2026-09-03', '2026-11-03')], BOSTON, '2026-11-24'), false, 'left 21 days before');
  });

  it('refuses a pupil of another school, or one who joined after the start date', () => {
    assert.equal(onRollForExclusion([at(LINCOLN, '2026-09-03')], BOSTON, '2026-11-24'), false);
    assert.equal(onRollForExclusion([at(BOSTON, '2026-11-25')], BOSTON, '2026-11-24'), false);
    assert.equal(onRollForExclusion([], BOSTON, '2026-11-24'), false);
  });
});

describe('exclusion intake: a scoped key cannot reach pupils of other schools', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let lincolnLookedAfter: number;
    let bostonKeySender: Awaited<ReturnType<typeof senderRow>>;

    async function senderRow(store: Store, scope: string) {
      await createApiSender(store.db, `sender-${scope}`, scope, clock);
      return store.db.selectFrom('api_sender').selectAll().where('scope', '=', scope).executeTakeFirstOrThrow();
    }

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      // Serial 20: a looked-after pupil at the Lincoln secondary.
      lincolnLookedAfter = await insertPupil(
        store,
        {
          upn: makeUpn(925, 4001, 15, 20),
          legal_forename: 'Lina',
          legal_surname: 'Cared',
          preferred_forename: null,
          date_of_birth: '2012-05-01',
          nc_year: 9,
          sex: 'F',
          ethnicity: 'WBRI',
          sen_provision: 'N',
          looked_after: 1,
          social_worker: 'CIN',
          fsm: 0,
          youth_justice: 0,
        },
        LINCOLN,
      );
      // Serial 21: a pupil at the Boston primary, inside the Boston key's scope but not at the secondary.
      await insertPupil(
        store,
        {
          upn: makeUpn(925, 4001, 15, 21),
          legal_forename: 'Pri',
          legal_surname: 'Mary',
          preferred_forename: null,
          date_of_birth: '2018-05-01',
          nc_year: 3,
          sex: 'M',
          ethnicity: 'WBRI',
          sen_provision: 'N',
          looked_after: 0,
          social_worker: 'N',
          fsm: 0,
          youth_justice: 0,
        },
        BOSTON_PRIMARY,
      );
      bostonKeySender = await senderRow(store, 'district:Boston');
    });

    const report = (upn: string) => ({ school_urn: BOSTON, upn, category: 'SUSP', start_date: '2026-11-24', sessions: 2, reasons: 'PA', notified_date: '2026-11-24' });

    it('refuses a Boston key reporting a looked-after Lincoln pupil at a Boston school, and records nothing', async () => {
      const store = getStore();
      const { result } = await receiveExclusion(store.db, clock, { sender: bostonKeySender, idempotencyKey: 'attack-0001', body: report(makeUpn(925, 4001, 15, 20)) });
      assert.equal(result.status, 400);
      assert.deepEqual((result.body as { errors: unknown[] }).errors, [
        { field: 'upn', message: `no pupil with this UPN is on roll at school ${BOSTON} on the start date (or left it at most 20 days before)` },
      ]);
      assert.equal((await store.db.selectFrom('exclusion').selectAll().execute()).length, 0);
      assert.equal((await store.db.selectFrom('alert_pending_pupil').selectAll().execute()).length, 0);
      assert.ok(lincolnLookedAfter > 0);
    });

    it('answers byte for byte the same for an unknown UPN, a pupil at another school and a pupil outside the key’s scope', async () => {
      const store = getStore();
      const answers: string[] = [];
      const upns = [makeUpn(925, 4001, 15, 99), makeUpn(925, 4001, 15, 21), makeUpn(925, 4001, 15, 20), makeUpn(925, 4001, 15, 5)];
      for (const [i, upn] of upns.entries()) {
        const { result } = await receiveExclusion(store.db, clock, { sender: bostonKeySender, idempotencyKey: `oracle-000${i}`, body: report(upn) });
        answers.push(JSON.stringify({ status: result.status, body: result.body }));
      }
      assert.equal(new Set(answers).size, 1, answers.join('\n'));
      // A pupil of the school itself is still accepted.
      const ok = await receiveExclusion(store.db, clock, { sender: bostonKeySender, idempotencyKey: 'oracle-0009', body: report(makeUpn(925, 4001, 15, 1)) });
      assert.equal(ok.result.status, 201);
      assert.equal(ok.pupilId, county.pupils.ehcPlan);
    });

    it('accepts a pupil who left the school at most 20 days before the start date, not 21', async () => {
      const store = getStore();
      await store.db.updateTable('enrolment').set({ end_date: '2026-11-04' }).where('pupil_id', '=', county.pupils.noFlags).execute();
      const left20 = await receiveExclusion(store.db, clock, { sender: bostonKeySender, idempotencyKey: 'left-0001', body: report(makeUpn(925, 4001, 15, 4)) });
      assert.equal(left20.result.status, 201);
      await store.db.updateTable('enrolment').set({ end_date: '2026-11-03' }).where('pupil_id', '=', county.pupils.noFlags).execute();
      const left21 = await receiveExclusion(store.db, clock, { sender: bostonKeySender, idempotencyKey: 'left-0002', body: { ...report(makeUpn(925, 4001, 15, 4)), start_date: '2026-11-24', sessions: 4 } });
      assert.equal(left21.result.status, 400);
    });
  });
});

describe('alerts from an exclusion row naming another school’s pupil', () => {
  forEachEngine((getStore) => {
    const NOW_ISO = NOW;

    it('shows the pupil to nobody at the school the row names, only to the pupil’s own school and the county', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      const bostonLeader = await insertStaffUser(store, 'bostonleader', 'school_leader', `school:${BOSTON}`);
      const bostonOfficer = await insertStaffUser(store, 'officer', 'attendance_officer', 'district:Boston');
      const lincolnLeader = await insertStaffUser(store, 'lincolnleader', 'school_leader', `school:${LINCOLN}`);
      const manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
      // Stored before the roll rule existed: a Boston school's row for the Lincoln pupil.
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.lincolnPupil, school_urn: BOSTON, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'api:old', created_at: NOW_ISO })
        .execute();
      const run = await runPupilRules({ db: store.db, calendar, clock });
      assert.ok(run.newAlerts > 0);
      const alerts = await store.db.selectFrom('exclusion_alert').select('id').where('pupil_id', '=', county.lincolnPupil).execute();
      const ctx = { db: store.db, clock, calendar };
      for (const alert of alerts) {
        for (const viewer of [bostonLeader, bostonOfficer]) {
          assert.deepEqual(await alertViewFor(ctx, actorOf(viewer), alert.id, 'alert card'), { ok: false, reason: 'out_of_scope' });
          const timeline = await alertTimeline(ctx, actorOf(viewer), { alertId: alert.id });
          assert.equal(timeline.ok, false);
        }
        assert.equal((await alertViewFor(ctx, actorOf(lincolnLeader), alert.id, 'alert card')).ok, true);
        assert.equal((await alertViewFor(ctx, actorOf(manager), alert.id, 'alert card')).ok, true);
      }
      const digest = await buildDigest(ctx, actorOf(bostonLeader), 'Fenside Academy', 'alerts digest');
      assert.equal(digest.openDeadlines.count + digest.unacknowledged.count, 0);
      assert.ok(!JSON.stringify(digest).includes(`Surname${5}`));
      const managerDigest = await buildDigest(ctx, actorOf(manager), 'the whole county', 'alerts digest');
      assert.ok(managerDigest.openDeadlines.count > 0);
    });
  });
});
