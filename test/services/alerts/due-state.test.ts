import assert from 'node:assert/strict';
import { buildDigest, buildOpenSummary, listOpenAlerts } from '../../../services/alerts/alert-digest';
import { claimGoLive, noteFirstContact } from '../../../services/alerts/alert-cases';
import { runPupilRules } from '../../../services/alerts/alert-runner';
import { alertViewFor } from '../../../services/alerts/alert-view';
import { alertCard } from '../../../cards/alert-card';
import { alertDigestCard, alertListCard, alertSummaryCard } from '../../../cards/alert-digest-card';
import { alertBlocks } from '../../../cards/slack/alert-blocks';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import type { PupilAlert, PupilRuleId } from '../../../services/exclusions/alert-types';
import type { StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { actorOf, FIXTURE_SCHOOLS, insertExclusion, insertFixtureCounty, insertStaffUser, type FixtureCounty } from '../../helpers/fixtures';
import { forEachEngine } from '../../helpers/test-stores';

/**
 * The card, the digest, the "what is open now" summary, `alerts list` and first contact agree on
 * where a due date stands: a day-6 duty met by a place recorded on time is not past due, and the
 * parents' independent review window (a window, not a duty) reads "window closed" once past.
 */

const TODAY = '2026-11-25';
const clock = fixedClock(`${TODAY}T10:00:00Z`);
const calendar = loadCalendar();
const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;

async function insertAlert(store: Store, rule: PupilRuleId, exclusion: { id: number; pupilId: number; start: string }, dueDate: string | null): Promise<number> {
  const payload: PupilAlert = {
    scope: 'pupil',
    rule,
    pupilId: exclusion.pupilId,
    exclusionId: exclusion.id,
    schoolUrn: BOSTON,
    currentSchoolUrns: [BOSTON],
    eventDate: exclusion.start,
    ...(dueDate ? { dueDate } : {}),
    cohorts: [],
    facts: {},
    dedupeKey: `${rule}:${exclusion.id}`,
  };
  const row = await store.db
    .insertInto('exclusion_alert')
    .values({
      dedupe_key: payload.dedupeKey,
      rule,
      scope: 'pupil',
      case_key: `exclusion:${exclusion.id}`,
      pupil_id: exclusion.pupilId,
      exclusion_id: exclusion.id,
      school_urn: BOSTON,
      event_date: exclusion.start,
      due_date: dueDate,
      payload: JSON.stringify(payload),
      created_at: `${exclusion.start}T09:00:00.000Z`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function permanentExclusion(store: Store, pupilId: number, start: string, placedOn: string | null) {
  const { id } = await insertExclusion(store, { pupilId, schoolUrn: BOSTON, category: 'PERM', start, sessions: 0 });
  if (placedOn) await store.db.insertInto('exclusion_placement').values({ exclusion_id: id, placed_on: placedOn, recorded_by: null, recorded_at: `${placedOn}T09:00:00.000Z` }).execute();
  return { id, pupilId, start };
}

describe('alert due state: met duties and closed windows in every list', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let manager: StaffUser;
    const ids = {} as Record<'placedDay6' | 'placedWarning' | 'unplacedDay6' | 'lateDay6' | 'irpWindow', number>;

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
      // Placed on day 6 itself: both day-6 duties are met (the card says "done").
      const placed = await permanentExclusion(store, county.pupils.noFlags, '2026-09-07', '2026-09-14');
      await insertAlert(store, 'permanent_exclusion', placed, null);
      ids.placedDay6 = await insertAlert(store, 'pex_la_day6', placed, '2026-09-14');
      ids.placedWarning = await insertAlert(store, 'pex_no_placement', placed, '2026-09-14');
      // No place: day 6 (2 Nov) is past due.
      const unplaced = await permanentExclusion(store, county.pupils.lookedAfter, '2026-10-26', null);
      await insertAlert(store, 'permanent_exclusion', unplaced, null);
      ids.unplacedDay6 = await insertAlert(store, 'pex_la_day6', unplaced, '2026-11-02');
      // A place from after day 6: the days between were missed, so it is still past due.
      const late = await permanentExclusion(store, county.pupils.senSupport, '2026-10-12', '2026-11-09');
      await insertAlert(store, 'permanent_exclusion', late, null);
      ids.lateDay6 = await insertAlert(store, 'pex_la_day6', late, '2026-10-19');
      // Governors upheld it; the parents' 15 school days to apply for a review ended on 20 Oct.
      const upheld = await permanentExclusion(store, county.pupils.ehcPlan, '2026-09-08', '2026-09-15');
      await insertAlert(store, 'permanent_exclusion', upheld, null);
      await insertAlert(store, 'pex_la_day6', upheld, '2026-09-15');
      ids.irpWindow = await insertAlert(store, 'irp_application_window', upheld, '2026-10-20');
    });

    it('counts and lists as past due only the duties still owed, in the digest, the summary and alerts list', async () => {
      const store = getStore();
      const ctx = { db: store.db, clock, calendar };
      const actor = actorOf(manager);

      const digest = await buildDigest(ctx, actor, 'Lincolnshire', 'test');
      assert.equal(digest.pastDue.count, 2, 'the unplaced and the late-placed day 6 only');
      assert.deepEqual(digest.pastDue.items.map((i) => i.alertId).sort(), [ids.unplacedDay6, ids.lateDay6].sort());
      assert.equal(digest.openDeadlines.count, 0);
      const listed = [...digest.unacknowledged.items, ...digest.pastDue.items].map((i) => i.alertId);
      assert.ok(!listed.includes(ids.placedDay6) && !listed.includes(ids.placedWarning), 'a met duty is listed nowhere');
      assert.equal(digest.unacknowledged.count, 7, 'four exclusions, two duties owed and the window; no met duty');
      const digestText = JSON.stringify(alertDigestCard(digest));
      assert.match(digestText, /window closed Tue 20 Oct 2026/);
      assert.equal((digestText.match(/overdue by/g) ?? []).length, 4, 'the two duties owed, each listed under past due and not acknowledged');

      const summary = await buildOpenSummary(ctx, actor, 'Lincolnshire', 'test');
      assert.equal(summary.openCases, 4);
      assert.equal(summary.pastDueCases, 2);
      assert.equal(summary.dueSoonCases, 0);
      assert.deepEqual(summary.items.slice(0, 2).map((i) => i.alertId), [ids.lateDay6, ids.unplacedDay6], 'most urgent: the duties owed, oldest first');
      assert.ok(!summary.items.some((i) => i.alertId === ids.placedDay6 || i.alertId === ids.placedWarning));
      const window = summary.items.find((i) => i.alertId === ids.irpWindow);
      assert.ok(window && window.dueKind === 'window' && summary.items.indexOf(window) >= 2, 'a closed window is not urgent');
      const summaryText = JSON.stringify(alertSummaryCard(summary));
      assert.match(summaryText, /window closed Tue 20 Oct 2026/);
      assert.equal((summaryText.match(/overdue by/g) ?? []).length, 2, 'the two duties owed only');

      const list = await listOpenAlerts(ctx, actor, 1, 'test');
      assert.equal(list.total, 7);
      assert.ok(!list.items.some((i) => i.alertId === ids.placedDay6 || i.alertId === ids.placedWarning));
      const listText = JSON.stringify(alertListCard(list));
      assert.match(listText, /window closed Tue 20 Oct 2026/);
      assert.doesNotMatch(listText, /Tue 20 Oct 2026 · overdue/);
    });

    it('reads the closed window as "window closed" on the Teams and Slack cards, and the met duty as done', async () => {
      const store = getStore();
      const ctx = { db: store.db, clock, calendar };
      const found = await alertViewFor(ctx, actorOf(manager), ids.irpWindow, 'test');
      assert.ok(found.ok && found.view.kind === 'pupil');
      const duties = found.view.duties;
      assert.equal(duties.find((d) => d.alertId === ids.irpWindow)?.state, 'closed');
      assert.equal(duties.find((d) => d.rule === 'pex_la_day6')?.state, 'met');
      const teams = JSON.stringify(alertCard(found.view));
      assert.match(teams, /Window closed Tue 20 Oct 2026/);
      assert.doesNotMatch(teams, /overdue by/);
      const slack = JSON.stringify(alertBlocks(found.view));
      assert.match(slack, /window closed Tue 20 Oct 2026/);
      assert.doesNotMatch(slack, /overdue by|:warning:/);
    });

    it('sends first the case whose duty is still owed, not one met by its placement or a closed window', async () => {
      const store = getStore();
      await noteFirstContact(store.db, clock, manager.id, 2);
      const cards = await store.db
        .selectFrom('alert_outbox')
        .innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id')
        .select(['exclusion_alert.case_key'])
        .where('alert_outbox.kind', '=', 'alert')
        .orderBy('alert_outbox.id')
        .execute();
      const caseOf = async (id: number) => (await store.db.selectFrom('exclusion_alert').select('case_key').where('id', '=', id).executeTakeFirstOrThrow()).case_key;
      assert.deepEqual(
        cards.map((c) => c.case_key),
        [await caseOf(ids.lateDay6), await caseOf(ids.unplacedDay6)],
      );
    });
  });
});

describe('alert due state: new cases from the rules run', () => {
  forEachEngine((getStore) => {
    it('ranks a new case by the duties still owed when the rules run: a day 6 already placed is not urgent', async () => {
      const store = getStore();
      const county = await insertFixtureCounty(store);
      const manager = await insertStaffUser(store, 'manager', 'la_manager', 'county');
      await claimGoLive(store.db, fixedClock('2026-11-01T09:00:00Z'));
      await noteFirstContact(store.db, clock, manager.id, 1);
      // Day 6 on 16 Nov, placed that day; the other's day 6 (23 Nov) has no place.
      const placed = await permanentExclusion(store, county.pupils.lookedAfter, '2026-11-09', '2026-11-16');
      const unplaced = await permanentExclusion(store, county.pupils.noFlags, '2026-11-16', null);
      await runPupilRules({ db: store.db, calendar, clock, cardsPerDay: 1 });
      const cards = await store.db
        .selectFrom('alert_outbox')
        .innerJoin('exclusion_alert', 'exclusion_alert.id', 'alert_outbox.alert_id')
        .select(['exclusion_alert.case_key'])
        .where('alert_outbox.kind', '=', 'alert')
        .execute();
      assert.deepEqual(cards.map((c) => c.case_key), [`exclusion:${unplaced.id}`], `not exclusion:${placed.id}`);
    });
  });
});
