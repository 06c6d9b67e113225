import assert from 'node:assert/strict';
import { alertViewFor } from '../../../services/alerts/alert-view';
import { recordPlacement } from '../../../services/alerts/alert-actions';
import { noteFirstContact } from '../../../services/alerts/alert-cases';
import { runPupilRules, type AlertRunnerDeps } from '../../../services/alerts/alert-runner';
import { loadCalendar } from '../../../services/calendar/school-calendar';
import { fixedClock } from '../../../services/clock';
import { parseScope } from '../../../services/identity/scope';
import type { Actor } from '../../../services/identity/actor';
import type { StaffUser } from '../../../services/store/database';
import type { Store } from '../../../services/store/open-store';
import { CARD_SIZE_LIMIT_BYTES, cardSizeBytes } from '../../../cards/adaptive-card';
import { alertCard } from '../../../cards/alert-card';
import { loadRuleRows } from '../../../services/exclusions/exclusion-repository';
import { evaluateExclusionRules } from '../../../services/exclusions/exclusion-rules';
import { forEachEngine } from '../../helpers/test-stores';
import { FIXTURE_SCHOOLS, insertFixtureCounty, type FixtureCounty } from '../../helpers/fixtures';
import { assertValidCard, cardText } from '../../helpers/card-check';

const BOSTON = FIXTURE_SCHOOLS.bostonSecondary.urn;
/** Thursday 26 November: the permanent exclusion of Monday 23rd has day 6 on Monday 30th, two school days away. */
const NOW = '2026-11-26T10:00:00.000Z';
const calendar = loadCalendar();

describe('free AP places on the permanent exclusion card', () => {
  forEachEngine((getStore) => {
    let county: FixtureCounty;
    let deps: AlertRunnerDeps;
    let manager: StaffUser;
    let hubs: { boston: number; lincoln: number; bostonPrimary: number };

    const actorOf = (user: StaffUser): Actor => ({ user, role: user.role, scope: parseScope(user.scope), aadObjectId: user.aad_object_id, conversationType: 'personal' });

    async function hub(store: Store, hub: string, districtId: number, phase: 'primary' | 'secondary' | 'all_through', commissioned: number, transient: number) {
      const row = await store.db
        .insertInto('ap_hub')
        .values({ provider: 'Test AP', hub, district_id: districtId, phase, commissioned_places: commissioned, transient_places: transient, contact: null, updated_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    }

    async function place(store: Store, hubId: number, pupilId: number, kind: 'commissioned' | 'transient', start: string, end: string | null) {
      await store.db.insertInto('ap_placement').values({ hub_id: hubId, pupil_id: pupilId, place_kind: kind, start_date: start, end_date: end, exclusion_id: null, source: 'test', created_at: NOW }).execute();
    }

    beforeEach(async () => {
      const store = getStore();
      county = await insertFixtureCounty(store);
      deps = { db: store.db, calendar, clock: fixedClock(NOW), cardsPerDay: 5 };
      manager = await store.db
        .insertInto('staff_user')
        .values({ aad_object_id: 'aad-manager', email: 'manager@example.org', name: 'manager', role: 'la_manager', scope: 'county', created_at: NOW })
        .returningAll()
        .executeTakeFirstOrThrow();
      hubs = {
        boston: await hub(store, 'Boston Hub', county.districtIds.Boston, 'secondary', 2, 1),
        bostonPrimary: await hub(store, 'Boston Juniors', county.districtIds.Boston, 'primary', 8, 2),
        lincoln: await hub(store, 'Lincoln Hub', county.districtIds.Lincoln, 'all_through', 16, 2),
      };
      // Boston Hub: both classroom places taken all year; its transient place free from Monday (day 6).
      await place(store, hubs.boston, county.pupils.ehcPlan, 'commissioned', '2026-09-07', null);
      await place(store, hubs.boston, county.pupils.senSupport, 'commissioned', '2026-09-07', null);
      await place(store, hubs.boston, county.pupils.lookedAfter, 'transient', '2026-11-02', '2026-11-27');
      // Lincoln Hub: a transient place taken from day 6 on.
      await place(store, hubs.lincoln, county.lincolnPupil, 'transient', '2026-11-30', null);
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.noFlags, school_urn: BOSTON, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: NOW })
        .execute();
      await runPupilRules(deps);
    });

    /** The pex_no_placement alerts the rules would raise for the excluded pupil on `today`. */
    async function missingPlacementRules(store: Store, today: string) {
      const rows = await loadRuleRows(store.db, '2026-09-01', [county.pupils.noFlags]);
      return evaluateExclusionRules({ today, calendar, ...rows }).alerts.filter((a) => a.rule === 'pex_no_placement');
    }

    const alertOf = (store: Store, rule: string) => store.db.selectFrom('exclusion_alert').select(['id', 'status']).where('pupil_id', '=', county.pupils.noFlags).where('rule', '=', rule).executeTakeFirst();

    it('lists the hubs of the pupil’s phase by district, nearest first, with free places today and on day 6', async () => {
      const store = getStore();
      const alert = await alertOf(store, 'permanent_exclusion');
      const result = await alertViewFor({ db: store.db, clock: deps.clock, calendar }, actorOf(manager), alert!.id, 'test');
      assert.ok(result.ok && result.view.kind === 'pupil');
      const places = result.view.apPlaces!;
      assert.equal(places.phase, 'secondary');
      assert.equal(places.daySix, '2026-11-30');
      assert.deepEqual(
        places.hubs.map((h) => [h.hub, h.district, h.nearness, h.today, h.daySix]),
        [
          ['Boston Hub', 'Boston', 0, { commissioned: 0, transient: 0 }, { commissioned: 0, transient: 1 }],
          ['Lincoln Hub', 'Lincoln', 5, { commissioned: 16, transient: 2 }, { commissioned: 16, transient: 1 }],
        ],
        'the primary hub is left out; Lincoln is fifth nearest to Boston in the shipped table',
      );
      const card = alertCard(result.view);
      assertValidCard(card);
      const text = cardText(card);
      assert.match(text, /Free AP places \(secondary\)/);
      assert.match(text, /Boston Hub · Boston/);
      assert.match(text, /full · 0 commissioned, 1 transient/);
      assert.match(text, /Lincoln Hub · Lincoln/);
      assert.ok(cardSizeBytes(card) < CARD_SIZE_LIMIT_BYTES);
      // The Record placement form offers those hubs, the kind of place, and day 6 as the start.
      const form = JSON.stringify(card.actions);
      assert.ok(form.includes(`"value":"${hubs.boston}"`) && form.includes('"id":"placeKind"') && form.includes('"value":"2026-11-30"'), form);
    });

    it('Record placement at a hub takes the place, meets the day-6 duties and stops the missing-placement alert', async () => {
      const store = getStore();
      const missing = await alertOf(store, 'pex_no_placement');
      assert.ok(missing, 'day 6 is two school days away and no place is recorded');
      assert.equal((await missingPlacementRules(store, '2026-11-27')).length, 1, 'and the rules keep raising it');
      const ctx = { db: store.db, clock: deps.clock, calendar };
      const full = await recordPlacement(ctx, actorOf(manager), { alertId: missing.id, placedOn: '2026-11-27', hubId: String(hubs.boston), placeKind: 'transient' });
      assert.deepEqual(full, { ok: false, message: 'Not recorded: no transient place is free at Boston Hub for the whole placement (all 1 taken on at least one of its days).' });
      assert.equal((await store.db.selectFrom('ap_placement').selectAll().execute()).length, 4, 'nothing written');

      const placed = await recordPlacement(ctx, actorOf(manager), { alertId: missing.id, placedOn: '2026-11-30', hubId: String(hubs.boston), placeKind: 'transient' });
      assert.ok(placed.ok && placed.view.kind === 'pupil');
      assert.equal(placed.view.placementFrom, '2026-11-30');
      assert.equal(placed.view.apPlaces, null, 'no places offered once placed');
      for (const duty of placed.view.duties.filter((d) => d.rule === 'pex_la_day6' || d.rule === 'pex_no_placement')) assert.equal(duty.state, 'met', duty.rule);
      const row = await store.db.selectFrom('ap_placement').selectAll().where('pupil_id', '=', county.pupils.noFlags).executeTakeFirstOrThrow();
      assert.equal(row.hub_id, hubs.boston);
      assert.equal(row.source, `card:${manager.id}`);
      assert.ok(row.exclusion_id !== null);
      const audit = await store.db.selectFrom('audit_log').select(['action', 'subject_ids']).where('action', '=', 'exclusion.placement').execute();
      assert.deepEqual(audit, [{ action: 'exclusion.placement', subject_ids: String(county.pupils.noFlags) }]);

      // The rules, evaluated again on a later day, no longer raise the missing placement.
      assert.deepEqual(await missingPlacementRules(store, '2026-11-27'), []);
    });

    it('two people recording the last free place at once: one takes it, the other is told it is taken', async () => {
      const store = getStore();
      await store.db
        .insertInto('exclusion')
        .values({ pupil_id: county.pupils.lookedAfter, school_urn: BOSTON, category: 'PERM', reasons: 'PA', start_date: '2026-11-23', sessions: 0, notified_date: '2026-11-23', missed_public_exam: 0, source: 'test', created_at: NOW })
        .execute();
      await runPupilRules(deps);
      const missingFor = (pupilId: number) =>
        store.db.selectFrom('exclusion_alert').select('id').where('pupil_id', '=', pupilId).where('rule', '=', 'pex_no_placement').executeTakeFirstOrThrow();
      const alerts = [await missingFor(county.pupils.noFlags), await missingFor(county.pupils.lookedAfter)];
      const ctx = { db: store.db, clock: deps.clock, calendar };
      // Boston Hub's one transient place is free from Monday: both ask for it at the same moment.
      const results = await Promise.all(
        alerts.map((alert) => recordPlacement(ctx, actorOf(manager), { alertId: alert.id, placedOn: '2026-11-30', hubId: String(hubs.boston), placeKind: 'transient' })),
      );
      assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results.map((r) => (r.ok ? 'ok' : r.message))));
      const refused = results.find((r) => !r.ok);
      assert.ok(refused && !refused.ok && /no transient place is free at Boston Hub/.test(refused.message));
      const taken = await store.db.selectFrom('ap_placement').select('pupil_id').where('hub_id', '=', hubs.boston).where('start_date', '=', '2026-11-30').execute();
      assert.equal(taken.length, 1);
    });

    it('a place starting after day 6 does not meet the duty', async () => {
      const store = getStore();
      assert.equal((await missingPlacementRules(store, '2026-11-27')).length, 1);
      const missing = await alertOf(store, 'pex_no_placement');
      const ctx = { db: store.db, clock: deps.clock, calendar };
      const late = await recordPlacement(ctx, actorOf(manager), { alertId: missing!.id, placedOn: '2026-12-02', hubId: String(hubs.lincoln), placeKind: 'commissioned' });
      assert.ok(late.ok && late.view.kind === 'pupil');
      const duty = late.view.duties.find((d) => d.rule === 'pex_no_placement')!;
      assert.notEqual(duty.state, 'met');
      assert.equal((await missingPlacementRules(store, '2026-11-27')).length, 1, 'the rule still warns');
    });
    it('alerts once, through the outbox, when the district has no free place on an upcoming day 6', async () => {
      const store = getStore();
      const none = async () => store.db.selectFrom('exclusion_alert').select(['id', 'due_date', 'case_key']).where('rule', '=', 'pex_no_free_place').execute();
      assert.deepEqual(await none(), [], 'Boston Hub has a transient place free on day 6');
      // The manager has talked to the bot, so new alerts are pushed to them.
      await noteFirstContact(store.db, deps.clock, manager.id, 5);
      // Someone else takes that place from day 6: the district has nothing free for the pupil then.
      await place(store, hubs.boston, county.pupils.lookedAfter, 'transient', '2026-11-30', null);
      const first = await runPupilRules(deps);
      const raised = await none();
      assert.equal(raised.length, 1);
      assert.equal(raised[0]!.due_date, '2026-11-30');
      const pexCase = await store.db.selectFrom('exclusion_alert').select('case_key').where('rule', '=', 'permanent_exclusion').executeTakeFirstOrThrow();
      assert.equal(raised[0]!.case_key, pexCase.case_key, 'a duty on the pupil’s one case card');
      assert.equal(first.newAlerts, 1);
      // One card per case: the pupil's case card carries the new duty to the manager (queued, or updated in place once sent).
      const caseOutbox = () =>
        store.db
          .selectFrom('alert_outbox as o')
          .innerJoin('exclusion_alert as a', 'a.id', 'o.alert_id')
          .select(['o.id', 'o.subscriber_key', 'o.kind'])
          .where('a.case_key', '=', pexCase.case_key)
          .orderBy('o.id')
          .execute();
      const outbox = await caseOutbox();
      assert.deepEqual(outbox.map((o) => [o.subscriber_key, o.kind]), [[`user:${manager.id}`, 'alert']], 'through the outbox to the manager, like any exclusion alert');
      const again = await runPupilRules({ ...deps, clock: fixedClock('2026-11-27T10:00:00.000Z') });
      assert.equal(again.newAlerts, 0, 'once per exclusion and day 6');
      assert.equal((await none()).length, 1);
      assert.deepEqual(await caseOutbox(), outbox, 'nothing queued again');
      // Once a place is recorded (Lincoln, commissioned from day 6) the duty shows met.
      const ctx = { db: store.db, clock: deps.clock, calendar };
      const placed = await recordPlacement(ctx, actorOf(manager), { alertId: raised[0]!.id, placedOn: '2026-11-30', hubId: String(hubs.lincoln), placeKind: 'commissioned' });
      assert.ok(placed.ok && placed.view.kind === 'pupil');
      assert.equal(placed.view.duties.find((d) => d.rule === 'pex_no_free_place')!.state, 'met');
    });
  });
});
