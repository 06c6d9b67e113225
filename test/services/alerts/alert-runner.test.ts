import assert from 'node:assert/strict';
import { claimGoLive } from '../../../services/alerts/alert-cases';
import { drainPendingPupils, runDisproportionality, runPupilRules, type AlertRunnerDeps } from '../../../services/alerts/alert-runner';
import { listSubscriptions, parseSubscriptionArgs, subscribe, SubscriptionError, unsubscribe } from '../../../services/alerts/subscriptions';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { makeUpn } from '../../../services/domain/upn';
import { queuePupilsForRules } from '../../../services/exclusions/exclusion-repository';
import { resolveRuleSettings } from '../../../services/exclusions/rule-settings';
import type { StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { actorOf, FIXTURE_SCHOOLS, type FixtureCounty, insertExclusion, insertFixtureCounty, insertStaffUser } from '../../helpers/fixtures';

const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const LINCOLN = FIXTURE_SCHOOLS.lincolnSecondary.urn;
const NOW = '2026-11-25T10:00:00.000Z';
const calendar = loadCalendar();

async function outbox(store: Store) {
  return store.db
    .selectFrom('alert_outbox')
    .innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id')
    .select(['alert_outbox.subscriber_key', 'alert_outbox.conversation_id', 'alert_outbox.kind', 'exclusion_alert.rule', 'exclusion_alert.pupil_id', 'exclusion_alert.case_key'])
    .orderBy('alert_outbox.id')
    .execute();
}

/** The rules of every duty on the cases a subscriber has a card for. */
async function dutiesCarded(store: Store, subscriberKey: string): Promise<string[]> {
  const cases = (await outbox(store)).filter((r) => r.subscriber_key === subscriberKey && r.kind === 'alert').map((r) => r.case_key);
  if (cases.length === 0) return [];
  return (await store.db.selectFrom('exclusion_alert').select('rule').where('case_key', 'in', cases).execute()).map((r) => r.rule).sort();
}

describe('alert runner and subscriptions', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let deps: AlertRunnerDeps;
    let users: Record<'manager' | 'bostonLeader' | 'lincolnLeader' | 'officer' | 'lincolnManager', StaffUser>;

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      // On SQLite this exercises the prepared-statement path; PostgreSQL runs the Kysely one.
      deps = { db: store.db, calendar, clock: fixedClock(NOW) };
      users = {
        manager: await insertStaffUser(store, 'manager', 'la_manager', 'county'),
        bostonLeader: await insertStaffUser(store, 'bostonleader', 'school_leader', `school:${BOSTON}`),
        lincolnLeader: await insertStaffUser(store, 'lincolnleader', 'school_leader', `school:${LINCOLN}`),
        officer: await insertStaffUser(store, 'officer', 'attendance_officer', 'district:Boston'),
        lincolnManager: await insertStaffUser(store, 'lincolnmanager', 'la_manager', 'district:Lincoln'),
      };
      // Live since last week, and everyone has talked to the bot: new alerts are pushed.
      await claimGoLive(store.db, fixedClock('2026-11-16T10:00:00Z'));
      await store.db
        .insertInto('alert_subscriber')
        .values(Object.values(users).map((u) => ({ subscriber_key: `user:${u.id}`, staff_user_id: u.id, joined_at: '2026-11-16T10:00:00Z' })))
        .execute();
    });

    it('queues one card per case (every duty of the exclusion on it) once per subscriber in scope, using role defaults', async () => {
      const store = getStore();
      await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-23', sessions: 0 });
      const first = await runPupilRules(deps);
      assert.equal(first.newAlerts, 5);
      const rows = await outbox(store);
      const cards = (key: string) => rows.filter((r) => r.subscriber_key === key).length;
      const expected = ['looked_after_excluded', 'permanent_exclusion', 'pex_governors_review', 'pex_la_day6', 'social_worker_excluded'];
      assert.equal(cards(`user:${users.manager.id}`), 1, 'one card for the permanent exclusion, not five');
      assert.deepEqual(await dutiesCarded(store, `user:${users.manager.id}`), expected);
      assert.deepEqual(await dutiesCarded(store, `user:${users.bostonLeader.id}`), expected);
      assert.equal(cards(`user:${users.lincolnLeader.id}`), 0, 'another school');
      assert.equal(cards(`user:${users.lincolnManager.id}`), 0, 'another district');
      assert.equal(cards(`user:${users.officer.id}`), 0, 'no default for attendance officers');
      assert.equal(rows.length, 2);

      const again = await runPupilRules(deps);
      assert.equal(again.alerts, 5);
      assert.equal(again.newAlerts, 0);
      assert.equal((await outbox(store)).length, 2, 'nothing queued twice');
    });

    it('tells the new school too when the pupil has moved', async () => {
      const store = getStore();
      await store.db.updateTable('enrolment').set({ end_date: '2026-11-13' }).where('pupil_id', '=', county.pupils.ehcPlan).execute();
      await store.db.insertInto('enrolment').values({ pupil_id: county.pupils.ehcPlan, school_urn: LINCOLN, start_date: '2026-11-16', end_date: null, registration: 'C' }).execute();
      await insertExclusion(store, { pupilId: county.pupils.ehcPlan, schoolUrn: BOSTON, category: 'SUSP', start: '2026-11-09', sessions: 2 });
      await runPupilRules(deps);
      const rows = await outbox(store);
      const keys = new Set(rows.map((r) => r.subscriber_key));
      assert.ok(keys.has(`user:${users.bostonLeader.id}`));
      assert.ok(keys.has(`user:${users.lincolnLeader.id}`));
      assert.ok(keys.has(`user:${users.lincolnManager.id}`));
    });

    it('drains pupils queued by imports and intake, clearing only what it read', async () => {
      const store = getStore();
      await insertExclusion(store, { pupilId: county.pupils.ehcPlan, schoolUrn: BOSTON, category: 'SUSP', start: '2026-11-24', sessions: 2 });
      await queuePupilsForRules(store.db, [county.pupils.ehcPlan], NOW);
      const summary = await drainPendingPupils(deps);
      assert.equal(summary.evaluatedPupils, 1);
      assert.equal(summary.newAlerts, 1);
      assert.deepEqual(await store.db.selectFrom('alert_pending_pupil').selectAll().execute(), []);
      assert.equal((await drainPendingPupils(deps)).evaluatedPupils, 0);
    });

    it('lets a channel subscribe to its district and an officer choose alert types', async () => {
      const store = getStore();
      await subscribe(store.db, actorOf(users.officer, 'channel'), '19:boston-channel', parseSubscriptionArgs('district boston'), NOW);
      await subscribe(store.db, actorOf(users.officer), 'personal-officer', parseSubscriptionArgs('permanent'), NOW);
      await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-23', sessions: 0 });
      await runPupilRules(deps);
      const rows = await outbox(store);
      const channel = rows.filter((r) => r.subscriber_key === 'conversation:19:boston-channel');
      assert.equal(channel.length, 1, 'one card for the case');
      assert.ok(channel.every((r) => r.conversation_id === '19:boston-channel'));
      assert.equal(rows.filter((r) => r.subscriber_key === `user:${users.officer.id}`).length, 1);
      assert.ok(['permanent_exclusion', 'pex_governors_review', 'pex_la_day6'].includes(rows.find((r) => r.subscriber_key === `user:${users.officer.id}`)!.rule), 'drawn from a duty the officer chose');
    });

    it('refuses areas outside the user’s scope and county-wide channels', async () => {
      const store = getStore();
      await assert.rejects(subscribe(store.db, actorOf(users.officer), 'p', parseSubscriptionArgs('district Lincoln'), NOW), SubscriptionError);
      await assert.rejects(subscribe(store.db, actorOf(users.bostonLeader), 'p', parseSubscriptionArgs(`school ${LINCOLN}`), NOW), /outside your scope/);
      await assert.rejects(subscribe(store.db, actorOf(users.manager, 'channel'), '19:c', parseSubscriptionArgs('county'), NOW), /not the whole county/);
      await assert.rejects(subscribe(store.db, actorOf(users.manager), 'p', parseSubscriptionArgs('district Nowhere'), NOW), /no district called/);
      assert.throws(() => parseSubscriptionArgs('county biscuits'), /"biscuits" is not an alert type/);
    });

    it('lists the role default, and unsubscribing everything keeps the default away', async () => {
      const store = getStore();
      const leader = actorOf(users.bostonLeader);
      const listed = await listSubscriptions(store.db, leader, 'p');
      assert.equal(listed.length, 1);
      assert.deepEqual(listed[0]!.area, { kind: 'school', value: String(BOSTON) });
      assert.equal(listed[0]!.implicit, true);
      assert.equal(await unsubscribe(store.db, leader, 'p', parseSubscriptionArgs(''), NOW), 1);
      assert.deepEqual(await listSubscriptions(store.db, leader, 'p'), []);
      await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-23', sessions: 0 });
      await runPupilRules(deps);
      assert.deepEqual((await outbox(store)).filter((r) => r.subscriber_key === `user:${users.bostonLeader.id}`), []);
      await subscribe(store.db, leader, 'p', parseSubscriptionArgs(''), NOW);
      assert.equal((await listSubscriptions(store.db, leader, 'p'))[0]!.implicit, false);
    });

    it('sends weekly disproportionality flags to LA managers of that district, not to schools', async () => {
      const store = getStore();
      // 20 more SEN pupils at Boston, 4 of them suspended, against 3 non-SEN pupils with none.
      for (let i = 0; i < 20; i++) {
        const { id } = await store.db
          .insertInto('pupil')
          .values({ upn: makeUpn(925, 4002, 16, i + 1), legal_forename: 'A', legal_surname: 'B', preferred_forename: null, date_of_birth: '2013-01-01', nc_year: 9, sex: 'F', ethnicity: 'WBRI', sen_provision: 'K', looked_after: 0, social_worker: 'N', fsm: 0, youth_justice: 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        await store.db.insertInto('enrolment').values({ pupil_id: id, school_urn: BOSTON, start_date: '2026-09-03', end_date: null, registration: 'C' }).execute();
        if (i < 4) await insertExclusion(store, { pupilId: id, schoolUrn: BOSTON, category: 'SUSP', start: '2026-10-05', sessions: 2 });
      }
      const summary = await runDisproportionality({ ...deps, settings: resolveRuleSettings({ disproportionalityMinGroupPupils: 10 }) });
      assert.equal(summary.newAlerts, 1);
      const rows = await outbox(store);
      assert.deepEqual(rows.map((r) => r.subscriber_key), [`user:${users.manager.id}`]);
      assert.equal(rows[0]!.rule, 'disproportionality');
    });
  });
});
