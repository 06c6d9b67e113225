import assert from 'node:assert/strict';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { alertViewFor } from '../../../services/alerts/alert-view';
import { drainAttendanceSchools, queueAttendanceSchools, runAttendanceRules, type AttendanceRunDeps } from '../../../services/attendance/attendance-alerts';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { parseScope } from '../../../services/identity/scope';
import type { ConversationType, Role, StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { alertCard } from '../../../cards/alert-card';
import { createAlertRenderer } from '../../../bot/alert-delivery';
import { alertDigestCard } from '../../../cards/alert-digest-card';
import { buildDigest } from '../../../services/alerts/alert-digest';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';
import { registerWriter } from './attendance-register';

const calendar = loadCalendar();
const NOW = '2026-11-30T18:00:00.000Z';
const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const LINCOLN = FIXTURE_SCHOOLS.lincolnSecondary.urn;
const DAYS = calendar.schoolDays('2026-09-01', '2026-11-30');

/** The same [am, pm] code names on every school day from `from` (0-based) on. */
const writeRegister = registerWriter(DAYS);

async function addUser(store: Store, name: string, role: Role, scope: string): Promise<StaffUser> {
  const user = await store.db
    .insertInto('staff_user')
    .values({ aad_object_id: `aad-${name}`, email: `${name}@example.org`, name, role, scope, created_at: NOW })
    .returningAll()
    .executeTakeFirstOrThrow();
  await store.db.insertInto('alert_subscriber').values({ subscriber_key: `user:${user.id}`, staff_user_id: user.id, joined_at: NOW }).execute();
  return user;
}

async function outbox(store: Store) {
  return store.db
    .selectFrom('alert_outbox')
    .innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id')
    .select(['alert_outbox.subscriber_key', 'alert_outbox.kind', 'exclusion_alert.rule', 'exclusion_alert.pupil_id', 'exclusion_alert.id as alert_id'])
    .where('exclusion_alert.scope', '=', 'attendance')
    .orderBy('alert_outbox.id')
    .execute();
}

const P: [string, string] = ['/', '\\'];

describe('attendance alerts through the outbox', () => {
  forEachEngine((getStore) => {
    let store: Store;
    let county: FixtureCounty;
    let deps: AttendanceRunDeps;
    beforeEach(async () => {
      store = getStore();
      county = await insertFixtureCounty(store);
      // On SQLite the raw handle too: the whole-county scan and the prepared reads are what runs in production.
      deps = { db: store.db, sqlite: store.sqlite, calendar, clock: fixedClock(NOW) };
      // Go-live has passed: new alerts are pushed card by card.
      await claimGoLive(store.db, fixedClock('2026-09-01T07:00:00.000Z'));
    });

    it('routes each rule to its roles, the youth justice alert to the linked worker only, never to a channel; once per episode', async () => {
      const yjPupil = county.pupils.noFlags;
      await store.db.updateTable('pupil').set({ youth_justice: 1 }).where('id', '=', yjPupil).execute();
      // Present until the last four weeks, then absent without reason: several rules fire.
      await writeRegister(store, yjPupil, BOSTON, (i) => (i < DAYS.length - 12 ? P : ['O', 'O']));
      await writeRegister(store, county.lincolnPupil, LINCOLN, () => ['N', 'N']);
      const officer = await addUser(store, 'boston-officer', 'attendance_officer', 'district:Boston');
      const lincolnOfficer = await addUser(store, 'lincoln-officer', 'attendance_officer', 'district:Lincoln');
      const worker = await addUser(store, 'yj-worker', 'youth_justice_worker', 'district:Boston');
      const otherWorker = await addUser(store, 'yj-other', 'youth_justice_worker', 'district:Boston');
      const leader = await addUser(store, 'head', 'school_leader', `school:${BOSTON}`);
      await store.db.insertInto('pupil_youth_justice_worker').values({ pupil_id: yjPupil, staff_user_id: worker.id }).execute();
      // A channel subscribed to everything in Boston: attendance alerts must not go there.
      await store.db
        .insertInto('alert_subscription')
        .values({ subscriber_key: 'conversation:19:team', staff_user_id: leader.id, conversation_id: '19:team', area_kind: 'district', area_value: 'Boston', rules: '*', created_at: NOW })
        .execute();
      await store.db.insertInto('alert_subscriber').values({ subscriber_key: 'conversation:19:team', staff_user_id: leader.id, joined_at: NOW }).execute();

      const first = await runAttendanceRules(deps);
      assert.ok(first.newAlerts > 0);
      const rows = await outbox(store);
      const rulesFor = (user: StaffUser) => [...new Set(rows.filter((r) => r.subscriber_key === `user:${user.id}`).map((r) => r.rule))].sort();
      assert.deepEqual(rulesFor(worker), ['persistent_absence_cohort', 'youth_justice_not_attending']);
      assert.deepEqual(rulesFor(otherWorker), []);
      assert.ok(rulesFor(officer).includes('unauthorised_10_days'));
      assert.ok(!rulesFor(officer).includes('youth_justice_not_attending'));
      assert.ok(rows.filter((r) => r.subscriber_key === `user:${officer.id}`).every((r) => r.pupil_id === yjPupil), 'Boston officer gets Boston pupils only');
      assert.ok(rows.filter((r) => r.subscriber_key === `user:${lincolnOfficer.id}`).every((r) => r.pupil_id === county.lincolnPupil));
      assert.ok(rulesFor(lincolnOfficer).includes('unauthorised_10_days'));
      assert.equal(rows.filter((r) => r.subscriber_key.startsWith('conversation:')).length, 0);
      // One card per pupil case per recipient (rules firing on the same day share a card).
      const workerCards = rows.filter((r) => r.subscriber_key === `user:${worker.id}` && r.kind === 'alert');
      assert.ok(workerCards.length >= 1 && workerCards.length <= 2);

      // The next evaluation (next import, the daily run) finds the same episodes: nothing new.
      const again = await runAttendanceRules(deps);
      assert.equal(again.newAlerts, 0);
      assert.equal((await outbox(store)).length, rows.length);

      // The worker's card: the pupil, the weekly chart, the marks, the duty; another worker may not open it.
      const actor = (u: StaffUser, t: ConversationType = 'personal') => ({ user: u, role: u.role, scope: parseScope(u.scope), aadObjectId: u.aad_object_id, conversationType: t });
      const yjAlert = rows.find((r) => r.rule === 'youth_justice_not_attending')!;
      const view = await alertViewFor({ db: store.db, clock: fixedClock(NOW), calendar }, actor(worker), yjAlert.alert_id, 'test');
      assert.ok(view.ok && view.view.kind === 'attendance');
      if (view.ok && view.view.kind === 'attendance') {
        assert.equal(view.view.pupilLabel, 'Forename4 Surname4');
        assert.ok(view.view.weeks.length >= 10);
        assert.equal(view.view.recentMarks.at(-1)!.codes[0], 'O');
        const card = JSON.stringify(alertCard(view.view));
        assert.match(card, /data:image\/png;base64/);
        assert.match(card, /Acknowledge/);
        assert.match(card, /Snooze/);
      }
      const refused = await alertViewFor({ db: store.db, clock: fixedClock(NOW), calendar }, actor(otherWorker), yjAlert.alert_id, 'test');
      assert.deepEqual(refused.ok ? 'shown' : refused.reason, 'out_of_scope');
      const lincolnView = await alertViewFor({ db: store.db, clock: fixedClock(NOW), calendar }, actor(lincolnOfficer), yjAlert.alert_id, 'test');
      assert.deepEqual(lincolnView.ok ? 'shown' : lincolnView.reason, 'out_of_scope');
      // Delivered: a card in the worker's personal chat; never drawn for a group chat or channel.
      const renderer = createAlertRenderer({ db: store.db, clock: fixedClock(NOW), calendar });
      const outboxRow = await store.db.selectFrom('alert_outbox').selectAll().where('subscriber_key', '=', `user:${worker.id}`).where('kind', '=', 'alert').executeTakeFirstOrThrow();
      const target = (conversationType: ConversationType) => ({ conversationId: 'c1', conversationType, tenantId: null, serviceUrl: 'http://127.0.0.1:1', referenceJson: '{}' });
      const personal = await renderer.render(outboxRow, target('personal'));
      assert.ok('activity' in personal && !String(personal.activity.summary).includes('Surname4'));
      const group = await renderer.render(outboxRow, target('groupChat'));
      assert.deepEqual(group, { skip: 'attendance alerts go to personal chats only' });
      // Every pupil read behind a card is audited.
      const audited = await store.db.selectFrom('audit_log').selectAll().execute();
      assert.ok(audited.length >= 1);
    });

    it('the weekly digest counts attendance alerts by kind, exactly as a direct count, and a worker only their own', async () => {
      const yjPupil = county.pupils.noFlags;
      await store.db.updateTable('pupil').set({ youth_justice: 1 }).where('id', '=', yjPupil).execute();
      await writeRegister(store, yjPupil, BOSTON, (i) => (i < DAYS.length - 4 ? P : ['O', 'O']));
      for (const id of [county.pupils.ehcPlan, county.pupils.lookedAfter]) await writeRegister(store, id, BOSTON, (i) => (i < DAYS.length - 10 ? P : ['N', 'N']));
      await writeRegister(store, county.lincolnPupil, LINCOLN, (i) => (i < DAYS.length - 10 ? P : ['G', 'G']));
      const officer = await addUser(store, 'boston-officer', 'attendance_officer', 'district:Boston');
      const worker = await addUser(store, 'yj-worker', 'youth_justice_worker', 'district:Boston');
      await store.db.insertInto('pupil_youth_justice_worker').values({ pupil_id: yjPupil, staff_user_id: worker.id }).execute();
      await runAttendanceRules(deps);
      const actor = (u: StaffUser) => ({ user: u, role: u.role, scope: parseScope(u.scope), aadObjectId: u.aad_object_id, conversationType: 'personal' as const });
      const ctx = { db: store.db, clock: fixedClock(NOW), calendar };
      const digest = await buildDigest(ctx, actor(officer), 'Boston', 'test');
      const direct = await store.db
        .selectFrom('exclusion_alert')
        .innerJoin('school', 'school.urn', 'exclusion_alert.school_urn')
        .select(['exclusion_alert.rule', 'exclusion_alert.pupil_id'])
        .where('exclusion_alert.scope', '=', 'attendance')
        .where('school.district_id', '=', county.districtIds.Boston)
        .where('exclusion_alert.event_date', '>=', digest.periodStart)
        .where('exclusion_alert.event_date', '<=', digest.periodEnd)
        .execute();
      const byRule = new Map<string, number>();
      for (const r of direct) byRule.set(r.rule, (byRule.get(r.rule) ?? 0) + 1);
      assert.ok(direct.length >= 3);
      assert.deepEqual(new Map(digest.attendance.map((a) => [a.rule, a.count])), byRule);
      const workerDigest = await buildDigest(ctx, actor(worker), 'Boston', 'test');
      const own = direct.filter((r) => r.pupil_id === yjPupil);
      assert.equal(workerDigest.attendance.reduce((n, a) => n + a.count, 0), own.length);
      assert.ok(own.length >= 1 && own.length < direct.length);
      assert.match(JSON.stringify(alertDigestCard(digest)), /Attendance alerts this week/);
    });

    it('a pupil who recovers and falls again is a new episode: a new alert and a new card, on the day it happens', async () => {
      const pupilId = county.pupils.noFlags;
      // 10 days present, 12 absent (50% on school day 20), 15 present (recovered), absent again (50% on day 50).
      await writeRegister(store, pupilId, BOSTON, (i) => (i < 10 || (i >= 22 && i < 37) ? P : ['O', 'O']));
      const officer = await addUser(store, 'boston-officer', 'attendance_officer', 'district:Boston');
      const on = (day: number) => ({ ...deps, clock: fixedClock(`${DAYS[day - 1]}T18:00:00.000Z`) });
      const severe = async () =>
        store.db.selectFrom('exclusion_alert').select(['event_date', 'case_key']).where('rule', '=', 'severe_absence_onset').where('pupil_id', '=', pupilId).orderBy('id').execute();
      await runAttendanceRules(on(19));
      assert.deepEqual(await severe(), []);
      await runAttendanceRules(on(20));
      await runAttendanceRules(on(22));
      assert.deepEqual((await severe()).map((a) => a.event_date), [DAYS[19]]);
      await runAttendanceRules(on(37));
      await runAttendanceRules(on(50));
      const episodes = await severe();
      assert.deepEqual(episodes.map((a) => a.event_date), [DAYS[19], DAYS[49]]);
      const cards = await store.db.selectFrom('alert_outbox').innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id').select('exclusion_alert.case_key').where('alert_outbox.subscriber_key', '=', `user:${officer.id}`).where('exclusion_alert.rule', '=', 'severe_absence_onset').execute();
      assert.deepEqual(cards.map((c) => c.case_key).sort(), episodes.map((e) => e.case_key).sort());
    });

    it('the whole-county run gives the event loop turns between key ranges of pupils, finding the same alerts', async () => {
      // Every pupil severely absent, so each key range has something to find.
      await writeRegister(store, county.lincolnPupil, LINCOLN, () => ['O', 'O']);
      for (const id of Object.values(county.pupils)) await writeRegister(store, id, BOSTON, () => ['O', 'O']);
      let turns = 0;
      let ticking = true;
      const tick = () => {
        if (!ticking) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      const chunked = await runAttendanceRules({ ...deps, pupilsPerTurn: 1 });
      ticking = false;
      assert.ok(chunked.evaluatedPupils >= 3);
      // On SQLite every read is synchronous: only the turns between ranges let anything else run.
      if (store.sqlite) assert.ok(turns >= chunked.evaluatedPupils - 1, `${turns} turns for ${chunked.evaluatedPupils} pupils`);
      const byRule = await store.db.selectFrom('exclusion_alert').select(['pupil_id', 'rule']).where('scope', '=', 'attendance').orderBy('pupil_id').orderBy('rule').execute();
      await store.db.deleteFrom('alert_outbox').execute();
      await store.db.deleteFrom('exclusion_alert').execute();
      const whole = await runAttendanceRules(deps);
      assert.equal(whole.alerts, chunked.alerts);
      assert.deepEqual(await store.db.selectFrom('exclusion_alert').select(['pupil_id', 'rule']).where('scope', '=', 'attendance').orderBy('pupil_id').orderBy('rule').execute(), byRule);
    });

    it('an import that changed one school re-evaluates only that school’s pupils', async () => {
      await writeRegister(store, county.lincolnPupil, LINCOLN, () => ['N', 'N']);
      for (const id of Object.values(county.pupils)) await writeRegister(store, id, BOSTON, () => ['N', 'N']);
      await queueAttendanceSchools(store.db, [LINCOLN], NOW);
      const drained = await drainAttendanceSchools(deps);
      assert.equal(drained.evaluatedPupils, 1);
      const stored = await store.db.selectFrom('exclusion_alert').select('pupil_id').where('scope', '=', 'attendance').execute();
      assert.ok(stored.length > 0 && stored.every((r) => r.pupil_id === county.lincolnPupil));
      assert.equal((await store.db.selectFrom('attendance_alert_pending_school').selectAll().execute()).length, 0);
      assert.equal((await drainAttendanceSchools(deps)).evaluatedPupils, 0);
    });
  });
});
