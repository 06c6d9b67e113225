import assert from 'node:assert/strict';
import { byUrgency, claimGoLive, noteFirstContact, planCards, releaseFirstContactHold, SUMMARY_KIND, type CaseCandidate } from '../../../services/alerts/alert-cases';
import { claimDue } from '../../../services/alerts/outbox';
import { runPupilRules, type AlertRunnerDeps } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, type FixtureCounty, insertExclusion, insertFixtureCounty, insertStaffUser } from '../../helpers/fixtures';

const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
const NOW = '2026-11-25T10:00:00.000Z';
const calendar = loadCalendar();

async function queuedFor(store: Store, user: StaffUser) {
  return store.db
    .selectFrom('alert_outbox')
    .innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id')
    .select(['alert_outbox.kind', 'exclusion_alert.case_key', 'exclusion_alert.due_date'])
    .where('alert_outbox.subscriber_key', '=', `user:${user.id}`)
    .orderBy('alert_outbox.id')
    .execute();
}

describe('alert cases: go-live, first contact and the daily budget', () => {
  it('plans the most urgent cases first and folds the rest into one summary', () => {
    const c = (key: string, due: string | null, event = '2026-11-01'): CaseCandidate => ({ caseKey: key, alertId: key.length, dueDate: due, eventDate: event });
    const cases = [c('undated', null), c('later', '2026-12-10'), c('overdue', '2026-11-20'), c('soon', '2026-11-27')];
    assert.deepEqual([...cases].sort(byUrgency).map((x) => x.caseKey), ['overdue', 'soon', 'later', 'undated']);
    const plan = planCards(cases, 0, 2, false);
    assert.deepEqual(plan.cards.map((x) => x.caseKey), ['overdue', 'soon']);
    assert.equal(plan.summary, true, 'two left over: one summary card');
    assert.deepEqual(planCards(cases, 0, 10, false), { cards: [...cases].sort(byUrgency), summary: false });
    assert.equal(planCards(cases, 3, 3, false).cards.length, 0, 'budget already spent today');
    assert.equal(planCards(cases.slice(0, 1), 0, 10, true).summary, true, 'history is always summarised');
  });

  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let deps: AlertRunnerDeps;
    let manager: StaffUser;

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      deps = { db: store.db, calendar, clock: fixedClock(NOW), cardsPerDay: 3 };
      manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
    });

    it('holds history loaded before go-live, then on first contact sends one summary and the most urgent cases', async () => {
      const store = getStore();
      // A term of history: eight suspensions of a pupil with an EHC plan (no deadlines) and one
      // permanent exclusion whose duties are past due.
      const suspensions = [];
      for (const day of ['01', '02', '05', '06', '07', '08', '09', '12']) suspensions.push((await insertExclusion(store, { pupilId: county.pupils.ehcPlan, schoolUrn: BOSTON, category: 'SUSP', start: `2026-10-${day}`, sessions: 2 })).id);
      const pex = await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-10-12', sessions: 0 });
      const golive = await runPupilRules(deps);
      assert.ok(golive.newAlerts >= 9);
      assert.equal(golive.queuedDeliveries, 0, 'nobody has a chat with the bot yet: nothing pushed');

      const queued = await noteFirstContact(store.db, deps.clock, manager.id, 3);
      const rows = await queuedFor(store, manager);
      assert.equal(queued, 4);
      assert.deepEqual(rows.map((r) => r.kind), [SUMMARY_KIND, 'alert', 'alert', 'alert'], 'the summary first, then three case cards');
      assert.equal(new Set(rows.map((r) => r.case_key)).size, 4, 'one card per case');
      // Most urgent first: the sixth day of suspension (school provision, the earliest date),
      // then the permanent exclusion's day 6, then the 9 Oct suspension, which (issue 9, reg 24(1)(c))
      // has its own "over 5 this term" window as the term total stands at 7 after it.
      assert.deepEqual(
        rows.slice(1).map((r) => r.case_key),
        [`exclusion:${suspensions[5]}`, `exclusion:${pex.id}`, `exclusion:${suspensions[6]}`],
      );

      assert.equal(await noteFirstContact(store.db, deps.clock, manager.id, 3), 0, 'a second contact queues nothing');
    });

    it('holds what first contact queued until the turn has answered (or the hold runs out), then lets it go', async () => {
      const store = getStore();
      await insertExclusion(store, { pupilId: county.pupils.lookedAfter, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-16', sessions: 0 });
      await runPupilRules(deps);
      const realNow = new Date('2026-11-25T10:00:00.000Z');
      const holdUntil = new Date(realNow.getTime() + 30_000).toISOString();
      const claim = (now: Date) => claimDue(store.db, store.engine, { workerId: 'w', now, leaseMs: 60_000, limit: 10 });
      assert.ok((await noteFirstContact(store.db, deps.clock, manager.id, 3, holdUntil)) > 0);
      assert.equal((await claim(realNow)).length, 0, 'held while the turn is answering');
      assert.ok((await claim(new Date(realNow.getTime() + 31_000))).length > 0, 'a hold never released runs out');

      // Another user's first contact: released by their turn, and only their own hold is lifted.
      const other = await insertStaffUser(store, 'other', 'la_manager', 'county');
      assert.ok((await noteFirstContact(store.db, deps.clock, other.id, 3, holdUntil)) > 0);
      await releaseFirstContactHold(store.db, other.id, 'not-this-hold');
      assert.equal((await claim(realNow)).length, 0, 'a release names the hold it set');
      await releaseFirstContactHold(store.db, other.id, holdUntil);
      assert.ok((await claim(realNow)).length > 0, 'released: sent straight away');
    });

    it('pushes new cases after go-live within the daily budget, folds the rest, and adds new duties to the same card', async () => {
      const store = getStore();
      await claimGoLive(store.db, fixedClock('2026-11-01T09:00:00Z'));
      await noteFirstContact(store.db, deps.clock, manager.id, 3);
      assert.deepEqual(await queuedFor(store, manager), [], 'nothing waiting at first contact');

      for (let i = 0; i < 5; i++) await insertExclusion(store, { pupilId: county.pupils.ehcPlan, schoolUrn: BOSTON, category: 'SUSP', start: `2026-11-${String(16 + i).padStart(2, '0')}`, sessions: 2 });
      await runPupilRules(deps);
      let rows = await queuedFor(store, manager);
      assert.deepEqual(rows.map((r) => r.kind).sort(), ['alert', 'alert', 'alert', SUMMARY_KIND].sort(), 'three cards today, the other two in one summary');

      // The pupil's sixth day of suspension this term: new duties on the last suspension, and another
      // case; the budget is spent, so no more cards today and the summary already covers them.
      await insertExclusion(store, { pupilId: county.pupils.ehcPlan, schoolUrn: BOSTON, category: 'SUSP', start: '2026-11-23', sessions: 4 });
      await runPupilRules(deps);
      rows = await queuedFor(store, manager);
      assert.equal(rows.filter((r) => r.kind === 'alert').length, 3, 'never more than the budget in a day');
      assert.equal(rows.filter((r) => r.kind === SUMMARY_KIND).length, 1, 'one summary a day');

      // Next day: the budget is back.
      await insertExclusion(store, { pupilId: county.pupils.noFlags, schoolUrn: BOSTON, category: 'PERM', start: '2026-11-25', sessions: 0 });
      await runPupilRules({ ...deps, clock: fixedClock('2026-11-26T10:00:00Z') });
      rows = await queuedFor(store, manager);
      assert.equal(rows.filter((r) => r.kind === 'alert').length, 4);
      const pexCards = rows.filter((r) => r.case_key.startsWith('exclusion:') && r.kind === 'alert');
      assert.equal(new Set(pexCards.map((r) => r.case_key)).size, pexCards.length, 'still one card per case');
    });
  });
});
